// An HTTP server (the library's, shared/http/include/workbook/http_server.hpp, or one of
// the same shape) for a test: on 127.0.0.1, a free port, its own event loop
// on a thread of its own. The destructor stops it gracefully and waits for
// the thread.
//
//   ServerThread server(handler);
//   RawConnection c(server.port);
#pragma once

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <thread>

#include "workbook/http_server.hpp"

namespace workbook::testing {

// Any server with the same four calls: the library's (ServerThread) or
// chapter 09's own (BasicServerThread<chapter09::Server, ...>).
template <class Server, class Options, class Handler>
class BasicServerThread {
  public:
    explicit BasicServerThread(Handler handler, Options options = {})
        : server_(loop_.get_executor(), std::move(handler), std::move(options)) {
        port = server_.listen("127.0.0.1", 0);
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~BasicServerThread() { stop(); }
    BasicServerThread(const BasicServerThread&) = delete;
    BasicServerThread& operator=(const BasicServerThread&) = delete;

    // Graceful: requests in progress get the server's grace period.
    void stop() {
        if (!thread_.joinable()) return;
        asio::post(loop_, [this] { server_.stop(); });
        thread_.join();
    }

    std::size_t connections() const { return server_.connections(); }

    unsigned short port = 0;

  private:
    asio::io_context loop_{1};
    Server server_;
    std::thread thread_;
};

using ServerThread = BasicServerThread<http::Server, http::ServerOptions, http::Handler>;

}  // namespace workbook::testing
