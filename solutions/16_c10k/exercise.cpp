// Chapter 16, reference answer: a connection that costs its socket, one
// coroutine frame and a watchdog's timer while it waits, and no read buffer.
#include <asio/write.hpp>
#include <string>

#include "exercise.hpp"
#include "watchdog.hpp"
#include "workbook/nothrow.hpp"

namespace chapter16 {

using asio::ip::tcp;
using workbook::nothrow;

Live::Live(std::size_t& count) : count_(count) {
    ++count_;
}

Live::~Live() {
    --count_;
}

asio::awaitable<void> serve_connection(tcp::socket socket, std::chrono::milliseconds idle_timeout,
                                       std::string_view response, std::size_t& live) {
    const Live counted(live);
    std::error_code ec;
    socket.non_blocking(true, ec);  // a read after a wake-up never blocks the loop
    Watchdog idle(socket, idle_timeout);
    std::string pending;  // a request's bytes up to its blank line; empty while idle
    for (;;) {
        // [slide:idle_wait]
        // Wait, holding no buffer, until bytes are there (or the end of the
        // stream). The watchdog closing the socket makes the wait fail.
        auto [wait_error] = co_await socket.async_wait(tcp::socket::wait_read, nothrow);
        if (wait_error) co_return;  // silent for idle_timeout: closed
        idle.activity();
        // [/slide]

        // Read what is there, into the request's own bytes. At the end of
        // the stream there is nothing: read_some then says eof.
        const std::size_t there = std::max<std::size_t>(socket.available(ec), 1);
        const std::size_t before = pending.size();
        pending.resize(before + there);
        const std::size_t n = socket.read_some(asio::buffer(pending.data() + before, there), ec);
        pending.resize(before + n);
        if (ec == asio::error::would_block) continue;  // woken for nothing after all
        if (ec) co_return;                             // the client hung up, or reset

        // Answer each complete head, in order; keep what follows it.
        for (auto end = pending.find("\r\n\r\n"); end != std::string::npos;
             end = pending.find("\r\n\r\n")) {
            pending.erase(0, end + 4);
            auto [write_error, written] =
                co_await asio::async_write(socket, asio::buffer(response), nothrow);
            if (write_error) co_return;
        }
        if (pending.size() > max_head_bytes) co_return;
        if (pending.empty()) std::string().swap(pending);  // idle again: give the memory back
    }
}

}  // namespace chapter16
