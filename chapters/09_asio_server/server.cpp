// Chapter 09's server (server.hpp): a listener, a session per connection,
// a watchdog beside each session. Read it top to bottom.
#include "server.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <ctime>
#include <memory>
#include <optional>

#include "workbook/nothrow.hpp"

namespace chapter09 {

using asio::ip::tcp;
using workbook::nothrow;  // a failed read or write is an outcome here, not an exception
using workbook::http::Request;
using workbook::http::RequestParser;
using workbook::http::Response;
using namespace std::chrono_literals;

// One connection: its socket, and its deadline, which the session moves as
// it goes from waiting to reading to answering.
struct Server::Session {
    tcp::socket socket;
    Clock::time_point deadline;
    asio::steady_timer* timer = nullptr;  // the watchdog's, while it sleeps
    bool idle = true;                     // between requests: stop() may close it at once

    // The watchdog sleeps until the deadline it last saw: a later one it
    // finds when it wakes, a sooner one must wake it.
    void expire_at(Clock::time_point when) {
        const bool sooner = when < deadline;
        deadline = when;
        if (sooner && timer) timer->cancel();
    }
};

Server::Server(asio::any_io_executor executor, Handler handler, ServerOptions options)
    : executor_(executor),
      handler_(std::move(handler)),
      options_(std::move(options)),
      acceptor_(executor),
      grace_timer_(executor) {}

unsigned short Server::listen(const std::string& host, unsigned short port) {
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    acceptor_.open(endpoint.protocol());
    // A restarted server may bind the port while the last one's closed
    // connections are still in TIME_WAIT.
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    // Connections the kernel completed before the loop accepted them wait
    // here: 4,096 of them (chapter 16 shows a burst against a short queue).
    acceptor_.listen(4096);
    asio::co_spawn(executor_, listener(), asio::detached);
    return acceptor_.local_endpoint().port();
}

// [slide:listener]
// Accepts for as long as the server runs, and hands each connection to a
// coroutine of its own: accepting never waits for a request to be served.
asio::awaitable<void> Server::listener() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(nothrow);
        if (stopping_) co_return;  // stop() closed the acceptor
        if (ec) {
            // Out of open files (EMFILE) most likely: the connection waits
            // in the kernel's queue. Say so, and try again in a moment.
            log("accept failed: " + ec.message());
            asio::steady_timer pause(executor_, 100ms);
            co_await pause.async_wait(nothrow);
            continue;
        }
        asio::co_spawn(executor_, session(std::move(socket)), asio::detached);
    }
}
// [/slide]

// [slide:session]
// One connection, from accept to close. Its requests are served by serve()
// and its deadline kept by watchdog(), side by side: whichever ends first
// cancels the other (Asio's || on awaitables). A client that is done ends
// serve(); a deadline that passed ends watchdog(), which ends the read or
// write serve() was waiting in.
asio::awaitable<void> Server::session(tcp::socket socket) {
    using namespace asio::experimental::awaitable_operators;
    std::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // an answer leaves at once (chapter 10)
    Session me{std::move(socket), Clock::now() + options_.idle_timeout};
    sessions_.push_back(&me);
    const auto in_list = std::prev(sessions_.end());
    open_.fetch_add(1, std::memory_order_relaxed);
    try {
        co_await (serve(me) || watchdog(me));
    } catch (const std::exception& e) {
        // A handler cancelled by stop() once the grace was over.
        log(std::string("connection ended: ") + e.what());
    }
    me.socket.close(ignored);
    sessions_.erase(in_list);
    open_.fetch_sub(1, std::memory_order_relaxed);
    // The last one gone: stop() need not wait out the grace (its timer
    // would keep the loop running).
    if (stopping_ && sessions_.empty()) grace_timer_.cancel();
}
// [/slide]

// [slide:serve]
// Read, parse, answer, and round again while the client keeps the
// connection (HTTP/1.1's keep-alive). While it waits for bytes, this frame
// is all the connection costs: no thread is held, and between requests no
// read buffer either (10,000 waiting clients would hold 40 MB of them).
asio::awaitable<void> Server::serve(Session& me) {
    RequestParser parser(options_.limits);
    constexpr std::size_t buffer_size = 4096;
    std::unique_ptr<char[]> buffer;  // only while a request is being read
    for (;;) {
        if (!buffer) {
            // Wait until the next request's bytes are there, then take a buffer.
            auto [ec] = co_await me.socket.async_wait(tcp::socket::wait_read, nothrow);
            if (ec) co_return;  // the watchdog cancelled the wait
            buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
        }
        auto [ec, n] =
            co_await me.socket.async_read_some(asio::buffer(buffer.get(), buffer_size), nothrow);
        if (ec) co_return;  // the client hung up, or the watchdog cancelled the read
        std::string_view data(buffer.get(), n);
        // One read can hold the end of a request and the start of the next
        // (pipelining): parse until the parser wants more.
        while (!data.empty()) {
            if (me.idle) {
                // A request's first byte starts the clock for all of it.
                me.idle = false;
                me.expire_at(Clock::now() + options_.head_timeout);
            }
            std::size_t used = 0;
            const auto result = parser.feed(data, used);
            data.remove_prefix(used);
            if (result == RequestParser::Result::more) {
                // The head is in and the client holds its body back until
                // told to go on (Expect: 100-continue, RFC 9110 10.1.1).
                if (parser.take_continue()) {
                    constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                    auto [wec, written] =
                        co_await asio::async_write(me.socket, asio::buffer(go_on), nothrow);
                    if (wec) co_return;
                }
                break;
            }
            if (result == RequestParser::Result::error) {
                // Malformed, or over a limit (431, 413): say so, and close;
                // what follows on this connection cannot be trusted.
                log("rejected a request with " + std::to_string(parser.error_status()) + ": " +
                    parser.error_reason());
                Response refusal;
                refusal.status = parser.error_status();
                refusal.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
                refusal.body = std::string(workbook::http::reason_phrase(refusal.status)) + ": " +
                               parser.error_reason() + "\n";
                co_await write(me, refusal, false, false);
                co_return;
            }
            if (!co_await answer(me, parser.take())) co_return;
        }
        if (me.idle) buffer.reset();  // answered, nothing of a next request yet
    }
}
// [/slide]

// The handler's answer to `request`, written. False: close the connection.
asio::awaitable<bool> Server::answer(Session& me, Request request) {
    me.expire_at(Clock::time_point::max());  // the handler takes what it takes
    Response response;
    std::optional<std::string> failure;  // (a catch block may not co_await)
    try {
        response = co_await handler_(request);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure) {
        // stop() gave up waiting for it: nobody is to be answered.
        if ((co_await asio::this_coro::cancellation_state).cancelled() !=
            asio::cancellation_type::none)
            throw asio::system_error(asio::error::operation_aborted);
        // A handler that throws ends its request, not the connection.
        log("the handler of " + request.method + " " + workbook::http::printable(request.target) +
            " threw: " + *failure);
        response = workbook::http::handler_threw(*failure);
    }
    const bool keep_alive = request.keep_alive && !response.close && !stopping_;
    if (!co_await write(me, response, keep_alive, request.method == "HEAD")) co_return false;
    if (!keep_alive) {
        // FIN after the answer, so the client reads all of it.
        std::error_code ignored;
        me.socket.shutdown(tcp::socket::shutdown_send, ignored);
        co_return false;
    }
    me.idle = true;  // waiting for the next request: idle_timeout, from now
    co_return true;
}

// Head and body in one write (one send for a small answer). The deadline
// covers a client that never reads, then the wait for its next request.
asio::awaitable<bool> Server::write(Session& me, const Response& response, bool keep_alive,
                                    bool head_only) {
    me.expire_at(Clock::now() + options_.idle_timeout);
    const bool body = !head_only && workbook::http::status_has_body(response.status);
    std::string out;
    workbook::http::render_response(out, response, keep_alive, date(),
                                    body ? response.body.size() : 0);
    auto [ec, n] = co_await asio::async_write(me.socket, asio::buffer(out), nothrow);
    co_return !ec;
}

// [slide:watchdog]
// Sleeps until the session's deadline, which the session moves as it goes;
// returns once it has passed, and then `||` cancels what serve() waits in.
asio::awaitable<void> Server::watchdog(Session& me) {
    asio::steady_timer timer(executor_);
    me.timer = &timer;
    while (me.deadline > Clock::now()) {
        timer.expires_at(me.deadline);
        co_await timer.async_wait(nothrow);
        // Woken because serve() ended first (|| cancels us): done. Woken
        // because the deadline came sooner: look at it again.
        if ((co_await asio::this_coro::cancellation_state).cancelled() !=
            asio::cancellation_type::none) {
            me.timer = nullptr;
            co_return;
        }
    }
    me.timer = nullptr;
    if (!me.idle) log("a request took longer than its deadline: closed");
}
// [/slide]

// [slide:stop]
void Server::stop() {
    if (stopping_) return;
    stopping_ = true;
    std::error_code ignored;
    acceptor_.close(ignored);  // the listener's accept ends
    // Waiting for a request: close at once. Within one: it is answered with
    // Connection: close, or closed when the grace is over.
    for (Session* s : sessions_) {
        if (s->idle) s->expire_at(Clock::now());
    }
    if (sessions_.empty()) return;
    grace_timer_.expires_after(options_.grace);
    grace_timer_.async_wait([this](std::error_code ec) {
        if (ec) return;  // every session ended in time
        for (Session* s : sessions_) s->expire_at(Clock::now());
    });
}
// [/slide]

// The Date header changes once a second: that many responses share it.
const std::string& Server::date() {
    const std::time_t now = std::time(nullptr);
    if (now != date_second_) {
        date_second_ = now;
        date_ = workbook::http::http_date(std::chrono::system_clock::from_time_t(now));
    }
    return date_;
}

void Server::log(std::string_view what) const {
    if (options_.log) options_.log(what);
}

}  // namespace chapter09
