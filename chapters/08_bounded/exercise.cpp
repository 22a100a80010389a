// Chapter 08 exercise: your file. Make `./workbook check 08` green.
//
// Three ideas, one TODO each, checked one at a time:
//   08.1 the limit: AsyncSemaphore::acquire and release;
//   08.2 a timeout per request, counted from its slot: fetch_one;
//   08.3 cancellation: a waiter whose coroutine is cancelled leaves the line.
// fetch_all is given (given.cpp): chapter 07's, plus the semaphore.
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 08.1` (or 08.2, 08.3).
#include "exercise.hpp"

#include <algorithm>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "workbook/github_async.hpp"
#include "workbook/timeout.hpp"
#include "workbook/todo.hpp"

namespace chapter08 {

asio::awaitable<AsyncSemaphore::Slot> AsyncSemaphore::acquire() {
    // TODO(08.1): a free slot at once; otherwise a Waiter at the back of
    // waiters_, a wait on its timer, and then: granted, or cancelled?
    workbook::todo("08.1");
    co_return Slot{};  // never reached
}

void AsyncSemaphore::release() {
    // TODO(08.1): to the first waiter (granted, woken), or back to available_.
    workbook::todo("08.1");
}

void AsyncSemaphore::leave_line(Waiter& me) {
    // TODO(08.3): take &me out of waiters_.
    (void)me;
    workbook::todo("08.3");
}

asio::awaitable<workbook::FetchResult> fetch_one(AsyncSemaphore& limit,
                                                 workbook::http::Client& client,
                                                 const workbook::ApiConfig& api,
                                                 std::string full_name,
                                                 std::chrono::milliseconds timeout) {
    // TODO(08.2): a slot, then the fetch under with_timeout, inside a try.
    (void)limit, (void)client, (void)api, (void)full_name, (void)timeout;
    workbook::todo("08.2");
    co_return workbook::FetchResult{};  // never reached
}

}  // namespace chapter08
