// One TCP connection to a server that answers each connection's requests in
// the order they were sent: Redis and memcached both do. The Redis client
// and the memcached client (inside the library only) are this connection
// plus a protocol: how a request is encoded, how replies are cut out of the
// bytes that come back.
//
// What it does for both:
//   - many requests in flight, each reply handed to the oldest request still
//     waiting (a deque: order is the only matching there is);
//   - the writer waits one turn of the loop before it writes, so requests
//     issued on that turn leave in one write, and requests issued while a
//     write is under way leave together in the next (as Boost.Redis does);
//   - a connection that ends fails every request waiting with
//     TransportError, and the next request connects again (once, for all
//     that arrive meanwhile);
//   - a request whose caller is cancelled (with_timeout, Ctrl-C) ends at
//     once with operation_aborted; it stays in line, so its reply is read,
//     and dropped, in its turn.
//
// Protocol must provide:
//   using Reply = ...;
//   struct Parser { std::string feed(std::string_view bytes, std::vector<Reply>& out); };
//     (appends the complete replies; returns "" or why the bytes are not
//     the protocol, after which the connection cannot go on)
//   static constexpr std::string_view name = "Redis";
//
// Threading: one connection belongs to one executor, run by one thread.
#pragma once

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "workbook/async_semaphore.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/resolve.hpp"
#include "workbook/transport_error.hpp"

namespace workbook::detail {

template <class Protocol>
class OrderedConnection : public std::enable_shared_from_this<OrderedConnection<Protocol>> {
  public:
    using Reply = typename Protocol::Reply;

    OrderedConnection(asio::any_io_executor executor, std::string host, unsigned short port)
        : executor_(std::move(executor)),
          host_(std::move(host)),
          port_(port),
          where_(std::string(Protocol::name) + " at " + host_ + ":" + std::to_string(port_)),
          socket_(executor_) {}

    // Connects (again, after a failure), one caller at a time.
    asio::awaitable<void> connect() {
        const auto self = this->shared_from_this();
        const auto turn = co_await connecting_.acquire();
        co_await open();
    }

    // Sends one encoded request and returns its reply. Throws TransportError
    // when the connection fails (for every request waiting then), and
    // operation_aborted when the caller is cancelled.
    asio::awaitable<Reply> request(std::string encoded) {
        const auto self = this->shared_from_this();
        if (closed_)
            throw TransportError(Failure::broken_off, "the client of " + where_ + " was closed");
        if (generation_ == 0) {
            throw TransportError(
                Failure::connect,
                "the client of " + where_ + " is not connected: co_await connect() first");
        }
        if (broken_) {
            // The connection ended (the requests waiting then were told so):
            // this request connects again, once for all that arrive meanwhile.
            const auto turn = co_await connecting_.acquire();
            if (broken_) co_await open();
        }
        auto pending = std::make_shared<Pending>();
        // Woken by the reader (cancel) when the reply is in; never expires.
        asio::steady_timer wake(executor_, asio::steady_timer::time_point::max());
        pending->wake = &wake;
        outbox_ += encoded;
        waiting_.push_back(pending);
        if (!writing_) {
            writing_ = true;
            asio::co_spawn(executor_, write_loop(self), asio::detached);
        }
        try {
            co_await wake.async_wait(nothrow);
        } catch (const asio::system_error&) {
            // Cancelled before the wait began (Asio throws at the co_await).
        }
        pending->wake = nullptr;
        // Not done: this coroutine was cancelled. The request stays in line,
        // so its reply is read, and dropped, in its turn.
        if (!pending->done) throw asio::system_error(asio::error::operation_aborted);
        if (pending->failure) std::rethrow_exception(pending->failure);
        co_return std::move(pending->reply);
    }

    // The owner is gone: requests still waiting (in coroutines that outlive
    // it) fail, and the reader, which holds this state alive, ends.
    void close() {
        fail(TransportError(Failure::broken_off, "the client of " + where_ + " was closed"),
             generation_);
        closed_ = true;
    }

    std::size_t writes() const { return writes_; }
    std::size_t in_flight() const { return waiting_.size(); }
    const std::string& where() const { return where_; }

  private:
    // A request waiting for its reply.
    struct Pending {
        asio::steady_timer* wake = nullptr;  // the caller's; null once it stopped waiting
        Reply reply{};
        std::exception_ptr failure;
        bool done = false;
    };

    // Connects on a fresh socket and starts its reader.
    asio::awaitable<void> open() {
        const auto endpoints = co_await resolve_endpoints(executor_, host_, port_);
        asio::ip::tcp::socket fresh(executor_);
        auto [error, endpoint] = co_await asio::async_connect(fresh, endpoints, nothrow);
        if (error) {
            throw TransportError(Failure::connect,
                                 "connect to " + where_ + ": " + error.message() +
                                     " (is it running? ./workbook services start)");
        }
        // Requests are small and leave while others are unanswered: Nagle's
        // algorithm would hold each write until the one before is acknowledged.
        std::error_code ignored;
        fresh.set_option(asio::ip::tcp::no_delay(true), ignored);
        socket_ = std::move(fresh);
        parser_ = typename Protocol::Parser();
        broken_ = nullptr;
        writing_ = false;
        ++generation_;
        asio::co_spawn(executor_, read_loop(this->shared_from_this(), generation_), asio::detached);
    }

    // The connection is over: every request waiting gets `error`.
    void fail(const TransportError& error, std::size_t of_generation) {
        if (broken_ || of_generation != generation_) return;
        broken_ = std::make_exception_ptr(error);
        for (auto& p : waiting_) {
            p->failure = broken_;
            p->done = true;
            if (p->wake) p->wake->cancel();
        }
        waiting_.clear();
        outbox_.clear();
        std::error_code ignored;
        socket_.close(ignored);
    }

    // Writes what the outbox holds; requests issued while a write is under
    // way are in the outbox when it ends, and leave together in the next.
    static asio::awaitable<void> write_loop(std::shared_ptr<OrderedConnection> self) {
        const std::size_t generation = self->generation_;
        // co_spawn starts a coroutine at once when called on the loop's own
        // thread (it dispatches): without this turn the first request would
        // leave alone. After it, every request issued on this turn of the
        // loop (task_group's tasks start one after the other on it) is in the
        // outbox, and they leave in one write.
        co_await asio::post(self->executor_, asio::use_awaitable);
        while (!self->outbox_.empty() && !self->broken_ && generation == self->generation_) {
            std::string batch;
            batch.swap(self->outbox_);
            ++self->writes_;
            auto [error, written] =
                co_await asio::async_write(self->socket_, asio::buffer(batch), nothrow);
            if (error) {
                self->fail(TransportError(Failure::send, "sending to " + self->where_ +
                                                             " failed: " + error.message()),
                           generation);
            }
        }
        if (generation == self->generation_) self->writing_ = false;
    }

    // Reads replies and hands each to the oldest request waiting.
    static asio::awaitable<void> read_loop(std::shared_ptr<OrderedConnection> self,
                                           std::size_t generation) {
        std::array<char, 16384> buffer;
        std::vector<Reply> replies;
        for (;;) {
            auto [error, n] = co_await self->socket_.async_read_some(asio::buffer(buffer), nothrow);
            if (error) {
                self->fail(TransportError(Failure::broken_off, "the connection to " + self->where_ +
                                                                   " ended: " + error.message()),
                           generation);
                co_return;
            }
            replies.clear();
            const std::string why = self->parser_.feed({buffer.data(), n}, replies);
            for (auto& reply : replies) {
                if (self->waiting_.empty()) {
                    self->fail(TransportError(Failure::protocol,
                                              self->where_ + " sent a reply nobody asked for"),
                               generation);
                    co_return;
                }
                const auto pending = std::move(self->waiting_.front());
                self->waiting_.pop_front();
                pending->reply = std::move(reply);
                pending->done = true;
                // No one waits for the reply of a cancelled request: dropped.
                if (pending->wake) pending->wake->cancel();
            }
            if (!why.empty()) {
                self->fail(TransportError(Failure::protocol, self->where_ + " sent what is not " +
                                                                 std::string(Protocol::name) +
                                                                 "'s protocol: " + why),
                           generation);
                co_return;
            }
        }
    }

    asio::any_io_executor executor_;
    std::string host_;
    unsigned short port_;
    std::string where_;  // "Redis at 127.0.0.1:6379", for messages
    asio::ip::tcp::socket socket_;
    typename Protocol::Parser parser_;
    std::deque<std::shared_ptr<Pending>> waiting_;  // sent or about to be, in order
    std::string outbox_;                            // encoded requests not yet written
    bool writing_ = false;
    std::size_t writes_ = 0;
    // What ended the connection. The next request connects again; `closed_`
    // (the owner is gone) is the one end that is final.
    std::exception_ptr broken_;
    bool closed_ = false;
    // Each connection's number: a read or write loop of an earlier one,
    // still winding down, must not touch the next.
    std::size_t generation_ = 0;
    AsyncSemaphore connecting_{1};  // one (re)connect at a time
};

}  // namespace workbook::detail
