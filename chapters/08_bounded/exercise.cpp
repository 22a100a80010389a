// Chapter 08 exercise: your file. Make `./workbook check 08` green.
//
// The semaphore first (TODO 08.1: acquire and release), then fetch_one with
// it and a timeout (08.2), then fetch_all (08.3). exercise.hpp says what each
// must do; chapter 07's answer is where fetch_one and fetch_all start from.
//
// Stuck? `./workbook hint 08`.
#include "exercise.hpp"

#include <algorithm>
#include <asio/error.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <functional>

#include "workbook/task_group.hpp"
#include "workbook/http_client.hpp"
#include "workbook/timeout.hpp"
#include "workbook/todo.hpp"

namespace chapter08 {

asio::awaitable<AsyncSemaphore::Slot> AsyncSemaphore::acquire() {
    // TODO(08.1): a free slot at once; otherwise a Waiter in waiters_, a
    // wait on its timer, and then: granted, or cancelled?
    workbook::todo("08.1");
    co_return Slot{};  // never reached
}

void AsyncSemaphore::release() {
    // TODO(08.1): to the first waiter (granted, woken), or back to available_.
    workbook::todo("08.1");
}

asio::awaitable<workbook::FetchResult> fetch_one(AsyncSemaphore& limit, workbook::http::Client& client,
                                                 const workbook::ApiConfig& api, std::string full_name,
                                                 std::chrono::milliseconds timeout) {
    // TODO(08.2): a slot, then the fetch under with_timeout, inside a try.
    (void)limit, (void)client, (void)api, (void)full_name, (void)timeout;
    workbook::todo("08.2");
    co_return workbook::FetchResult{};  // never reached
}

asio::awaitable<std::vector<workbook::FetchResult>> fetch_all(const workbook::ApiConfig& api,
                                                              std::vector<std::string> names, std::size_t limit,
                                                              std::chrono::milliseconds timeout) {
    // TODO(08.3): one AsyncSemaphore, one Client, one task per name, workbook::task_group.
    (void)api, (void)names, (void)limit, (void)timeout;
    workbook::todo("08.3");
    co_return std::vector<workbook::FetchResult>{};  // never reached
}

}  // namespace chapter08
