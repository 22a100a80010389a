// task_group: start every task at once on the current coroutine's executor,
// wait for all, results in the order of the tasks. It keeps the promise of
// Python 3.11's asyncio.TaskGroup:
//
//     async with asyncio.TaskGroup() as tg:
//         tasks = [tg.create_task(t()) for t in task_functions]
//     results = [t.result() for t in tasks]
//
// - every task starts before any of them is awaited;
// - when one task throws, every other task still running is cancelled, and
//   task_group waits until all of them have ended; only then does it throw;
// - when task_group itself is cancelled (chapter 08's Ctrl-C), it passes the
//   cancellation to every task and again waits for all of them.
// Chapter 06's exercise builds it for strings (06.1); from chapter 07 on
// the chapters use this one, the same design for any result type, built in
// shared/core/src/task_group.cpp.
//
// Why the structured shape matters more in C++ than in Python: a task often
// borrows from the frame that started it (a client, a semaphore, the list
// of names, all locals of the caller). Python's garbage collector keeps
// those alive for a straggler; in C++ a task that outlived task_group would
// read freed memory. So no task is ever left running when task_group
// returns or throws. (asyncio.gather, by contrast, raises the first
// exception at once and leaves the other tasks running.)
//
// Where it differs from TaskGroup, and why:
// - TaskGroup raises an ExceptionGroup of every failure; C++ has none, so
//   task_group throws the first one (the others are consequences of the
//   cancellation, usually operation_aborted).
// - A cancelled TaskGroup raises CancelledError. task_group returns the
//   results when every task turned its cancellation into a result (as
//   chapter 08's fetch_one does), so Ctrl-C keeps what had finished; a task
//   that lets operation_aborted escape makes task_group throw it.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace workbook {

namespace detail {
// The group itself, for tasks that keep their own results.
asio::awaitable<void> run_task_group(std::vector<std::function<asio::awaitable<void>()>> tasks);

template <class T>
asio::awaitable<void> run_into(std::function<asio::awaitable<T>()> task, std::optional<T>& result) {
    result.emplace(co_await task());
}
}  // namespace detail

template <class T>
asio::awaitable<std::vector<T>> task_group(std::vector<std::function<asio::awaitable<T>()>> tasks) {
    // Each result goes straight into its place; `results` lives in this
    // frame, which outlives every task (run_task_group waits for all).
    // optional<T>, not T: a T need not have a default value, and each task
    // gets a real reference to its own place (a vector<bool> has none).
    std::vector<std::optional<T>> results(tasks.size());
    std::vector<std::function<asio::awaitable<void>()>> untyped;
    untyped.reserve(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i)
        untyped.emplace_back([&results, i, task = std::move(tasks[i])] {
            return detail::run_into<T>(task, results[i]);
        });
    co_await detail::run_task_group(std::move(untyped));
    // Every task ended without throwing (or run_task_group threw): each has
    // its result.
    std::vector<T> out;
    out.reserve(results.size());
    for (auto& result : results) out.push_back(std::move(*result));
    co_return out;
}

}  // namespace workbook
