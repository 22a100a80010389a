// A connection's deadline, shared by the server's and the client's
// connections (inside the library only).
//
// One timer per connection, waited on by a plain handler (not a coroutine:
// ten thousand connections should not cost ten thousand coroutine frames).
// When the deadline passes, `on_expiry` runs once; it closes the socket,
// which makes whatever operation is pending fail at once, TLS or not.
//
// The timer is first waited on at the first deadline, not before: a
// connection that is given one and then keeps it, or only moves it later,
// costs one wait and one cancellation (at stop) in all.
//
// The deadline moves at every step of every request (connect, head, body,
// response, idle). Moving a timer costs a cancellation, a wake-up and often a
// system call to re-arm the kernel's timer, so only an *earlier* deadline
// moves the timer; a later one is only noted, and the handler, woken by the
// old expiry, waits again for the deadline now in force. Most requests then
// cost no timer operation at all.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <system_error>

namespace workbook::http {

class Deadline {
  public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(const asio::any_io_executor& executor) : timer_(executor) {}
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    // Watches for `owner` (the connection), which the waiting handler keeps
    // alive until stop(); `on_expiry` runs when a deadline passes.
    void watch(const std::shared_ptr<void>& owner, std::function<void()> on_expiry) {
        owner_ = owner;
        on_expiry_ = std::move(on_expiry);
    }

    // The deadline is now `limit` from now.
    void expire_after(std::chrono::milliseconds limit) {
        at_ = Clock::now() + limit;
        if (!waiting_) {
            if (stopped_) return;
            timer_.expires_at(at_);
            waiting_ = true;
            wait(owner_.lock());
        } else if (at_ < timer_.expiry()) {
            timer_.expires_at(at_);  // wakes the handler, which waits again
        }
    }
    // No deadline until the next expire_after.
    void clear() { at_ = Clock::time_point::max(); }
    // Stops watching for good (the connection is closed). The handler lets
    // go of its owner.
    void stop() {
        stopped_ = true;
        timer_.cancel();
    }
    // A deadline passed (and on_expiry ran).
    bool expired() const { return expired_; }

  private:
    void wait(std::shared_ptr<void> owner) {
        timer_.async_wait(
            [this, owner = std::move(owner)](std::error_code) mutable { wake(std::move(owner)); });
    }

    // The timer fired, or was moved (an earlier deadline) or cancelled (stop).
    void wake(std::shared_ptr<void> owner) {
        if (stopped_) return;
        const auto now = Clock::now();
        if (at_ <= now) {
            expired_ = true;
            stopped_ = true;
            on_expiry_();
            return;
        }
        if (timer_.expiry() <= now) timer_.expires_at(at_);  // fired for a deadline moved later
        wait(std::move(owner));
    }

    asio::steady_timer timer_;  // expires at or before at_
    Clock::time_point at_ = Clock::time_point::max();
    std::weak_ptr<void> owner_;
    std::function<void()> on_expiry_;
    bool waiting_ = false;
    bool stopped_ = false;
    bool expired_ = false;
};

}  // namespace workbook::http
