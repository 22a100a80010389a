// gather: start every task at once on the current coroutine's executor, wait
// for all, results in the order of the tasks (Python's asyncio.gather).
// Chapter 06's exercise builds exactly this for strings; later chapters use
// this one, which also passes a cancellation on.
//
// Cancelling gather (chapter 08's Ctrl-C) cancels every task, then still
// waits for all of them to end: a task is never left running with references
// to the caller's locals. Each task decides what a cancellation means for its
// result; a task that turns it into a result keeps the batch's other results.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
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
        std::unique_ptr<asio::cancellation_signal[]> cancel;  // one per task
    };
    auto shared = std::make_shared<Shared>(Shared{std::vector<T>(tasks.size()), nullptr, tasks.size(),
                                                  asio::steady_timer(executor),
                                                  std::make_unique<asio::cancellation_signal[]>(tasks.size())});
    shared->all_done.expires_at(asio::steady_timer::time_point::max());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        asio::co_spawn(executor, tasks[i](),
                       asio::bind_cancellation_slot(shared->cancel[i].slot(),
                                                    [shared, i](std::exception_ptr e, T value) {
                                                        if (e && !shared->error) shared->error = e;
                                                        if (!e) shared->results[i] = std::move(value);
                                                        if (--shared->running == 0) shared->all_done.cancel();
                                                    }));
    }
    while (shared->running > 0) {
        co_await shared->all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (shared->running > 0) {
            // Woken while tasks still run: gather itself was cancelled. Pass
            // it on to every task, then wait again (a second cancellation
            // passes on again) until the last one has ended.
            co_await asio::this_coro::reset_cancellation_state();
            for (std::size_t i = 0; i < tasks.size(); ++i) shared->cancel[i].emit(asio::cancellation_type::terminal);
        }
    }
    if (shared->error) std::rethrow_exception(shared->error);
    co_return std::move(shared->results);
}

}  // namespace workbook
