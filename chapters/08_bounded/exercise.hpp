// Chapter 08 exercise: at most `limit` requests in flight, each with its own
// timeout, and a batch that can be cancelled as a whole.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "workbook/github.hpp"

namespace workbook::http {
class Client;
}

namespace chapter08 {

// A counting semaphore for coroutines on one event loop (Python's
// asyncio.Semaphore). acquire() suspends the *coroutine* until a slot is
// free; the thread goes on running every other coroutine meanwhile. A
// std::counting_semaphore or a std::mutex would suspend the *thread*: the
// loop's only thread, so the coroutine that holds the slot could never run
// to give it back.
//
// Not thread-safe, and it need not be: every coroutine that uses it runs on
// the loop's one thread.
class AsyncSemaphore {
  public:
    // A slot taken by acquire(), given back when the Slot is destroyed (or
    // moved from and then destroyed): Python's `async with semaphore:`.
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

    // TODO(08.1): take a slot. With one free (and nobody queued before you),
    // take it at once. Otherwise join the back of `waiters_` and wait,
    // suspended, until release() hands you its slot: first come, first
    // served. The wait can also end because the waiting coroutine was
    // cancelled (Ctrl-C in main.cpp, TODO 08.3): then `granted` is still false,
    // and acquire calls leave_line(me) and throws
    // asio::system_error(asio::error::operation_aborted), taking no slot.
    asio::awaitable<Slot> acquire();

    // TODO(08.1): give a slot back: to the first waiter if there is one
    // (mark it granted, wake it), else to `available_`. Called by ~Slot;
    // never suspends.
    void release();

    std::size_t available() const { return available_; }
    std::size_t waiting() const { return waiters_.size(); }

  private:
    // A coroutine queued in acquire(). It waits on `wake`, a timer that
    // never expires by itself: release() cancels it to wake the waiter, after
    // setting `granted`, so the waiter can tell "here is your slot" from
    // "your coroutine was cancelled", which also ends the wait.
    struct Waiter {
        asio::steady_timer* wake;
        bool granted = false;
    };

    // TODO(08.3): a waiter whose coroutine was cancelled leaves the line:
    // take `me` out of `waiters_`. It must: `me` lives in the frame of the
    // cancelled coroutine, which is about to end, and release() would
    // otherwise hand a slot to a waiter that no longer exists.
    void leave_line(Waiter& me);

    std::size_t available_;
    std::deque<Waiter*> waiters_;
};

// TODO(08.2): fetch one repository within the limit: take a slot of
// `limit` (it is given back however the fetch ends), then fetch with
// workbook::fetch_repo_async under workbook::with_timeout(…, timeout),
// so the timeout counts from the moment the request has its slot, not from
// when the task was started. Never throws: every outcome becomes the result's
// `error`, and every error names the repository. A timeout (TimeoutError) is
// "owner/name: no answer within 300 ms"; a cancellation, which Asio throws
// as an asio::system_error whose code() == asio::error::operation_aborted, is
// "owner/name: cancelled before it finished" (any other code is a failure
// like the rest); fetch_repo_async's own errors name the repository already.
asio::awaitable<workbook::FetchResult> fetch_one(AsyncSemaphore& limit,
                                                 workbook::http::Client& client,
                                                 const workbook::ApiConfig& api,
                                                 std::string full_name,
                                                 std::chrono::milliseconds timeout);

// Chapter 07's fetch_all with at most `limit` requests in flight (given: it
// is chapter 07's answer plus one semaphore): one AsyncSemaphore(limit) and
// one Client for the batch, one fetch_one task per name, all started at once
// with workbook::task_group (most of them then wait for a slot), results in
// the order of `names`. Cancelling fetch_all (Ctrl-C in main.cpp) cancels
// every task; it still returns a result for every name: the ones that had
// finished, and "cancelled" errors for the rest (that part is TODO 08.3's).
asio::awaitable<std::vector<workbook::FetchResult>> fetch_all(
    const workbook::ApiConfig& api, std::vector<std::string> names, std::size_t limit = 10,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace chapter08
