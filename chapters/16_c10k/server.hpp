// Chapter 16, given: the one-thread server around serve_connection (the
// exercise), and what it answers.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace chapter16 {

// The whole answer to every request: the slide's JSON, kept alive. (No Date
// header: this server is as small as a server gets.)
std::string_view hello_response();

struct Options {
    std::chrono::milliseconds idle_timeout{30'000};
    // Completed connections the kernel keeps for accept(): 4,096 is what
    // net.core.somaxconn allows on a usual Linux; a smaller backlog drops
    // the SYNs of a burst, and those clients try again only a second later.
    int backlog = 4096;
};

class Server {
  public:
    explicit Server(Options options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Listens on address:port (0: any free port) and returns the port.
    unsigned short listen(const std::string& address, unsigned short port);

    // Serves on the calling thread, the one thread of this server, until stop().
    void run();
    // From any thread: stop accepting, and end run() at once (the
    // connections' coroutines are destroyed with the server, which closes
    // their sockets and runs their Live destructors).
    void stop();
    // Ctrl-C (SIGINT) and SIGTERM call stop(). Before run().
    void stop_on_signals();

    // The live count (Live's), asked from another thread than run()'s: the
    // question is posted to the loop and the answer waited for, so the
    // count is only ever touched by the loop's thread.
    std::size_t live();
    // What the last connection that ended with an exception said (empty: none).
    std::string last_error();

  private:
    asio::awaitable<void> accept_loop();

    Options options_;
    std::size_t live_ = 0;      // before the loop: the loop's end still counts down into it
    std::string last_error_;    // the loop's thread only
    asio::io_context loop_{1};  // destroyed before live_: the frames it holds end first
    asio::ip::tcp::acceptor acceptor_{loop_};
    std::unique_ptr<asio::signal_set> signals_;
};

}  // namespace chapter16
