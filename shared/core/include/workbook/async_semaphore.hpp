// AsyncSemaphore: a counting semaphore for coroutines on one event loop
// (Python's asyncio.Semaphore). acquire() suspends the coroutine, never the
// thread. Chapter 08's exercise (08.1, 08.3) builds it, and its README says
// why std::counting_semaphore would hang the loop; from chapter 09 on, the
// chapters, the HTTP client (its turns at opening connections) and the pool
// of chapter 13 use this one, the same design, built in shared/core/src/.
//
// Not thread-safe, and it need not be: every coroutine that uses it runs on
// the loop's one thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <utility>

namespace workbook {

class AsyncSemaphore {
  public:
    // A slot taken by acquire(), given back when the Slot is destroyed:
    // Python's `async with semaphore:`.
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
    asio::awaitable<Slot> acquire();

    // To the first waiter if there is one, else back to the count. Never
    // suspends.
    void release();

    std::size_t available() const { return available_; }
    std::size_t waiting() const { return waiters_.size(); }

  private:
    // A coroutine queued in acquire(), waiting on a timer that never
    // expires by itself: release() sets `granted`, then cancels it.
    struct Waiter {
        asio::steady_timer* wake;
        bool granted = false;
    };
    void leave_line(Waiter& me);

    std::size_t available_;
    std::deque<Waiter*> waiters_;
};

}  // namespace workbook
