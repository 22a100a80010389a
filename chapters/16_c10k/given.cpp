// Chapter 16, given: the accept loop of the one-thread server.
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <future>
#include <system_error>

#include "exercise.hpp"
#include "server.hpp"
#include "workbook/nothrow.hpp"

namespace chapter16 {

using asio::ip::tcp;

std::string_view hello_response() {
    static constexpr std::string_view text =
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        "Content-Length: 25\r\n"
        "\r\n"
        "{\"message\":\"Hello World\"}";
    return text;
}

Server::Server(Options options) : options_(options) {}

Server::~Server() = default;

unsigned short Server::listen(const std::string& address, unsigned short port) {
    const tcp::endpoint endpoint(asio::ip::make_address(address), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(options_.backlog);
    asio::co_spawn(loop_, accept_loop(), asio::detached);
    return acceptor_.local_endpoint().port();
}

void Server::run() {
    loop_.run();
}

void Server::stop() {
    asio::post(loop_, [this] {
        std::error_code ignored;
        acceptor_.close(ignored);
        if (signals_) signals_->cancel(ignored);
        loop_.stop();
    });
}

void Server::stop_on_signals() {
    signals_ = std::make_unique<asio::signal_set>(loop_, SIGINT, SIGTERM);
    signals_->async_wait([this](std::error_code ec, int) {
        if (!ec) stop();
    });
}

std::size_t Server::live() {
    std::promise<std::size_t> answer;
    asio::post(loop_, [&] { answer.set_value(live_); });
    return answer.get_future().get();
}

std::string Server::last_error() {
    std::promise<std::string> answer;
    asio::post(loop_, [&] { answer.set_value(last_error_); });
    return answer.get_future().get();
}

// [slide:accept_loop]
asio::awaitable<void> Server::accept_loop() {
    asio::steady_timer backoff(loop_);
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(workbook::nothrow);
        if (ec == asio::error::operation_aborted) co_return;  // stop()
        if (ec) {
            // Out of file descriptors (EMFILE): accepting again at once
            // would spin. Let some connections end first.
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(workbook::nothrow);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        // One coroutine per connection, and straight back to accepting.
        asio::co_spawn(
            loop_,
            serve_connection(std::move(socket), options_.idle_timeout, hello_response(), live_),
            [this](std::exception_ptr error) {
                if (!error) return;
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    last_error_ = e.what();
                }
            });
    }
}
// [/slide]

}  // namespace chapter16
