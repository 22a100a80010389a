// The floor of the server benchmarks: the least an HTTP/1.1 server on one
// thread can do. Accept; per connection one coroutine that reads until a
// blank line, waits --latency ms if asked (one timer), writes a fixed
// response, and reads the next request on the same connection. No parser,
// no limits, no Date header, no deadlines: what the workbook's own servers
// cost is read as a ratio to this, measured side by side
// (./workbook bench server, ./workbook bench c10k).
//
// Usage: workbook-floor-server --port P [--latency MS]
#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <string_view>

#include "workbook/limits.hpp"
#include "workbook/nothrow.hpp"

namespace {

using asio::ip::tcp;
using workbook::nothrow;

constexpr std::string_view response =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 25\r\n"
    "\r\n"
    "{\"message\":\"Hello World\"}";

asio::awaitable<void> serve(tcp::socket socket, std::chrono::milliseconds latency) {
    std::array<char, 1024> buffer;
    int matched = 0;  // how much of "\r\n\r\n" the bytes so far end with, across reads
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), nothrow);
        if (ec) co_return;
        int requests = 0;  // blank lines in this read: pipelined requests count each
        for (std::size_t i = 0; i < n; ++i) {
            const char c = buffer[i];
            if (c == "\r\n\r\n"[matched]) {
                if (++matched == 4) {
                    ++requests;
                    matched = 0;
                }
            } else {
                matched = c == '\r' ? 1 : 0;
            }
        }
        for (int r = 0; r < requests; ++r) {
            if (latency.count() > 0) {
                asio::steady_timer timer(socket.get_executor(), latency);
                co_await timer.async_wait(nothrow);
            }
            auto [wec, written] =
                co_await asio::async_write(socket, asio::buffer(response), nothrow);
            if (wec) co_return;
        }
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::chrono::milliseconds latency) {
    asio::steady_timer backoff(acceptor.get_executor());
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) {  // EMFILE: let connections end
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), latency), asio::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    std::chrono::milliseconds latency{0};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--port") {
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        } else if (arg == "--latency") {
            latency = std::chrono::milliseconds(std::stol(argv[i + 1]));
        } else {
            std::cerr << "usage: workbook-floor-server --port P [--latency MS]\n";
            return 2;
        }
    }
    workbook::raise_open_file_limit();
    asio::io_context loop(1);
    tcp::acceptor acceptor(loop);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(4096);
    asio::co_spawn(loop, accept_loop(acceptor, latency), asio::detached);
    asio::signal_set signals(loop, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code, int) { loop.stop(); });
    std::cout << "floor server on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
    loop.run();
}
