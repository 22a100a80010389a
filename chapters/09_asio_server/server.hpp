// Chapter 09's server: HTTP/1.1 on one thread, a coroutine per connection.
//
//   listener()  accepts, and starts a session() for each connection;
//   session()   reads a request, calls the handler, writes the answer, and
//               goes round again while the client keeps the connection;
//   watchdog()  runs beside each session and closes it when its deadline
//               passes: a client that sends nothing, or a head too slowly.
//
// server.cpp reads top to bottom. The bytes are the library's: its
// RequestParser (llhttp) reads requests, render_response writes answers.
// The GitHub stand-in runs on the library's own server,
// shared/http/src/http_server.cpp, which adds what a server facing the internet
// needs on top of this one (the README of this chapter lists it).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <list>
#include <string>
#include <string_view>

#include "workbook/http_message.hpp"
#include "workbook/http_parser.hpp"

namespace chapter09 {

// What answers a request: the router of the exercise, in main.cpp.
using Handler =
    std::function<asio::awaitable<workbook::http::Response>(const workbook::http::Request&)>;

struct ServerOptions {
    // From a request's first byte to its last: a client that trickles its
    // head (slowloris) is cut off, however often a byte arrives.
    std::chrono::milliseconds head_timeout{10'000};
    // Between requests, and for a client that does not read its answer.
    std::chrono::milliseconds idle_timeout{60'000};
    // What stop() gives the requests in progress before it closes them.
    std::chrono::milliseconds grace{2'000};
    // A head over 16 KiB gets 431, a body over 1 MiB 413 (the parser's).
    workbook::http::RequestParser::Limits limits;
    // Told what went wrong with a connection, when set.
    std::function<void(std::string_view)> log;
};

class Server {
  public:
    Server(asio::any_io_executor executor, Handler handler, ServerOptions options = {});
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Listens on host:port (0: a free port) and starts accepting; returns
    // the port. Call it on the loop's thread, or before the loop runs.
    unsigned short listen(const std::string& host, unsigned short port);

    // Graceful: no new connections, idle ones closed at once, requests in
    // progress answered (with Connection: close) within `grace`, then the
    // rest closed. On the loop's thread; the loop ends when all are gone.
    void stop();

    // Connections open now (from any thread).
    std::size_t connections() const { return open_.load(std::memory_order_relaxed); }

  private:
    using Clock = std::chrono::steady_clock;
    struct Session;

    asio::awaitable<void> listener();
    asio::awaitable<void> session(asio::ip::tcp::socket socket);
    asio::awaitable<void> serve(Session& me);
    asio::awaitable<void> watchdog(Session& me);
    asio::awaitable<bool> answer(Session& me, workbook::http::Request request);
    asio::awaitable<bool> write(Session& me, const workbook::http::Response& response,
                                bool keep_alive, bool head_only);
    const std::string& date();
    void log(std::string_view what) const;

    asio::any_io_executor executor_;
    Handler handler_;
    ServerOptions options_;
    asio::ip::tcp::acceptor acceptor_;
    std::list<Session*> sessions_;  // each one removes itself as it ends
    std::atomic<std::size_t> open_{0};
    asio::steady_timer grace_timer_;
    bool stopping_ = false;
    std::time_t date_second_ = -1;  // the second date_ was written for
    std::string date_;
};

}  // namespace chapter09
