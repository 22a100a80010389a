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
// Chapter 06's exercise builds exactly this for strings; later chapters use
// this one.
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
asio::awaitable<std::vector<T>> task_group(std::vector<std::function<asio::awaitable<T>()>> tasks) {
    auto executor = co_await asio::this_coro::executor;
    // Shared with the tasks' handlers, which all run on this loop's thread:
    // plain fields, no lock.
    struct Shared {
        std::vector<T> results;
        std::exception_ptr error;  // the first failure
        std::size_t running;
        asio::steady_timer wake;  // cancelled by the last task to end, or by the first to fail
        std::unique_ptr<asio::cancellation_signal[]> cancel;  // one per task
    };
    auto shared = std::make_shared<Shared>(
        Shared{std::vector<T>(tasks.size()), nullptr, tasks.size(), asio::steady_timer(executor),
               std::make_unique<asio::cancellation_signal[]>(tasks.size())});
    shared->wake.expires_at(asio::steady_timer::time_point::max());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        asio::co_spawn(executor, tasks[i](),
                       asio::bind_cancellation_slot(
                           shared->cancel[i].slot(), [shared, i](std::exception_ptr e, T value) {
                               if (e && !shared->error) {
                                   shared->error = e;
                                   shared->wake.cancel();  // wake task_group: it cancels the others
                               }
                               if (!e) shared->results[i] = std::move(value);
                               if (--shared->running == 0) shared->wake.cancel();
                           }));
    }
    while (shared->running > 0) {
        co_await shared->wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (shared->running > 0) {
            // Woken while tasks still run: the first one failed, or
            // task_group itself was cancelled (a second Ctrl-C passes on
            // again). Either way every task still running is cancelled, and
            // we wait until the last one has ended. The reset lets our own
            // next co_await run although our cancellation state is set.
            // (Emitting to a task that already ended does nothing.)
            co_await asio::this_coro::reset_cancellation_state();
            for (std::size_t i = 0; i < tasks.size(); ++i)
                shared->cancel[i].emit(asio::cancellation_type::terminal);
        }
    }
    if (shared->error) std::rethrow_exception(shared->error);
    co_return std::move(shared->results);
}

}  // namespace workbook
