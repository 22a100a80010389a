// gather: start every task at once on the current coroutine's executor, wait
// for all, results in the order of the tasks (Python's asyncio.gather).
// Chapter 06's exercise builds exactly this for strings; later chapters use
// this one.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

namespace workbook {

template <class T>
asio::awaitable<std::vector<T>> gather(std::vector<std::function<asio::awaitable<T>()>> tasks) {
    auto executor = co_await asio::this_coro::executor;
    // Shared with the tasks' handlers, which all run on this loop's thread.
    struct Shared {
        std::vector<T> results;
        std::exception_ptr error;
        std::size_t running;
        asio::steady_timer all_done;  // cancelled when the last task ends
    };
    auto shared = std::make_shared<Shared>(
        Shared{std::vector<T>(tasks.size()), nullptr, tasks.size(), asio::steady_timer(executor)});
    shared->all_done.expires_at(asio::steady_timer::time_point::max());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        asio::co_spawn(executor, tasks[i](), [shared, i](std::exception_ptr e, T value) {
            if (e && !shared->error) shared->error = e;
            if (!e) shared->results[i] = std::move(value);
            if (--shared->running == 0) shared->all_done.cancel();
        });
    }
    if (shared->running > 0) {
        co_await shared->all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    if (shared->error) std::rethrow_exception(shared->error);
    co_return std::move(shared->results);
}

}  // namespace workbook
