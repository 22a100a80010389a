// AsyncSemaphore: a counting semaphore for coroutines on one event loop
// (Python's asyncio.Semaphore). acquire() suspends the coroutine, never the
// thread. Chapter 08's exercise builds exactly this (08.1, where the README
// says why std::counting_semaphore would hang the loop); the HTTP client uses
// this one to take turns at opening connections.
//
// Not thread-safe, and it need not be: every coroutine that uses it runs on
// the loop's one thread.
#pragma once

#include <algorithm>
#include <asio/awaitable.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cstddef>
#include <deque>
#include <utility>

namespace workbook {

class AsyncSemaphore {
  public:
    // A slot taken by acquire(), given back when the Slot is destroyed.
    class Slot {
      public:
        Slot() = default;
        explicit Slot(AsyncSemaphore& owner) : owner_(&owner) {}
        Slot(Slot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
        Slot& operator=(Slot&& other) noexcept {
            if (this != &other) {
                if (owner_) owner_->release();
                owner_ = std::exchange(other.owner_, nullptr);
            }
            return *this;
        }
        ~Slot() {
            if (owner_) owner_->release();
        }

      private:
        AsyncSemaphore* owner_ = nullptr;
    };

    explicit AsyncSemaphore(std::size_t slots) : available_(slots) {}
    AsyncSemaphore(const AsyncSemaphore&) = delete;
    AsyncSemaphore& operator=(const AsyncSemaphore&) = delete;

    // A slot at once if one is free; otherwise waits in line, first come,
    // first served. A waiter whose coroutine is cancelled leaves the line,
    // takes no slot, and gets asio::system_error(operation_aborted).
    asio::awaitable<Slot> acquire() {
        if (available_ > 0) {  // release() hands slots to waiters first, so nobody is queued
            --available_;
            co_return Slot(*this);
        }
        // The timer never expires by itself: release() cancels it.
        asio::steady_timer wake(co_await asio::this_coro::executor,
                                asio::steady_timer::time_point::max());
        Waiter me{&wake};
        waiters_.push_back(&me);
        try {
            // Always ends "cancelled": by release() (granted first), or by a
            // cancellation of this coroutine. The error comes back as a value
            // (as_tuple): being woken is the normal way out, and an exception
            // for each of ten thousand waiters would cost more than the wait.
            co_await wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        } catch (const asio::system_error&) {
            // A coroutine cancelled before it waited: Asio throws at the
            // co_await itself.
        }
        if (me.granted) co_return Slot(*this);
        waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
        throw asio::system_error(asio::error::operation_aborted);
    }

    // To the first waiter if there is one, else back to the count.
    void release() {
        if (waiters_.empty()) {
            ++available_;
            return;
        }
        Waiter* next = waiters_.front();
        waiters_.pop_front();
        next->granted = true;
        next->wake->cancel();
    }

    std::size_t available() const { return available_; }
    std::size_t waiting() const { return waiters_.size(); }

  private:
    struct Waiter {
        asio::steady_timer* wake;
        bool granted = false;
    };
    std::size_t available_;
    std::deque<Waiter*> waiters_;
};

}  // namespace workbook
