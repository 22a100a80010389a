// The workbook's asynchronous HTTP/1.1 server: Asio coroutines for the I/O,
// llhttp (the parser of Node.js and aiohttp) for the protocol. Chapter 09
// teaches how it works; the GitHub stand-in and later chapters serve with it.
//
// The messages are in http_message.hpp, the parsing in http_parser.hpp
// (RequestParser); this is the I/O around them.
//
// What it does that a toy server does not:
//   - keep-alive and pipelining: several requests on one connection, in order;
//   - limits: a request head over `max_header_bytes` gets 431, a body over
//     `max_body_bytes` gets 413, anything llhttp rejects gets 400, and the
//     connection is closed after each of these;
//   - a deadline for the whole request head, counted from its first byte, so
//     a client that trickles one byte a second is cut off (slowloris), and an
//     idle deadline between keep-alive requests;
//   - a listen backlog of 4096, so thousands of simultaneous connects queue
//     instead of being dropped and retried a second later;
//   - a client that hangs up while its handler works: the handler is
//     cancelled (its next co_await throws operation_aborted) and the
//     connection freed at once, not when an answer nobody reads is ready;
//   - graceful stop: stop accepting, close idle connections, let requests in
//     progress finish for `grace`, then close the rest;
//   - what HTTP/1.1 asks of every origin server (RFC 9110, RFC 9112): a
//     `Date` on every response; HEAD answered with the head GET would get
//     (its Content-Length too) and no body; no body and no Content-Length on
//     1xx, 204 and 304; 400 for a 1.1 request without exactly one valid
//     `Host`; an absolute-form target (`GET http://host/path`) served as
//     its path, its authority taking the place of `Host`; `100 Continue`
//     before reading the body of a request that sent `Expect: 100-continue`;
//   - a request asking to Upgrade (to h2c, a WebSocket) is answered in
//     HTTP/1.1 as if it had not asked (RFC 9110 7.8), then the connection
//     closes;
//   - on a TLS port, a client speaking plain HTTP gets a readable 400 (as
//     nginx answers) instead of a failed handshake and a silent close.
//
// Threading: run the executor on one thread (the event loop of the talk), or
// pass a strand. Handlers are coroutines on that same executor.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/http_message.hpp"

namespace asio::ssl {
class context;
}

namespace workbook::http {

using Handler = std::function<asio::awaitable<Response>(const Request&)>;

struct ServerOptions {
    std::size_t max_header_bytes = 16 * 1024;        // request line + headers, else 431
    std::size_t max_body_bytes = 1024 * 1024;        // else 413
    std::chrono::milliseconds head_timeout{10'000};  // first byte of a request to its last
    std::chrono::milliseconds idle_timeout{60'000};  // keep-alive with nothing sent
    std::chrono::milliseconds grace{2'000};          // stop(): time left to requests in progress
    int backlog = 4096;
    // Told about what ends a connection abnormally (a bad request, a timeout,
    // a failed TLS handshake). Empty: say nothing.
    std::function<void(std::string_view)> log;
};

class Server {
  public:
    Server(asio::any_io_executor executor, Handler handler, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Listens on address:port (port 0: any free port) and returns the port.
    // With `tls`, every connection to this port speaks TLS with that context,
    // which must outlive the server. May be called several times.
    // Throws std::system_error saying which address could not be used.
    unsigned short listen(const std::string& address, unsigned short port,
                          asio::ssl::context* tls = nullptr);

    // Graceful stop (see above). Call it on the server's executor.
    void stop();

    // Connections open right now. Safe to ask from any thread (a test's, a
    // statistics page's): it is a counter, not a walk over the connections.
    std::size_t connections() const;

    struct Impl;  // the state its connections share (defined in the .cpp)

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace workbook::http
