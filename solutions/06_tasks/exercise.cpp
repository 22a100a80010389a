// Chapter 06 reference answer.
#include "exercise.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <memory>

namespace chapter06 {

// [slide:task_group]
asio::awaitable<std::vector<std::string>> task_group(std::vector<Task> tasks) {
    auto executor = co_await asio::this_coro::executor;
    // What the tasks' handlers share with us. Everything runs on one loop
    // thread, so plain fields need no lock: only one piece of code runs at a
    // time. A shared_ptr, because the handlers must find it alive even if
    // they run after this frame has moved on.
    struct Shared {
        std::vector<std::string> results;
        std::exception_ptr error;  // the first failure
        std::size_t running;
        asio::steady_timer wake;  // never fires by itself: cancelled to wake us
        std::vector<asio::cancellation_signal> cancel;  // one per task
    };
    auto shared = std::make_shared<Shared>(
        Shared{std::vector<std::string>(tasks.size()), nullptr, tasks.size(),
               asio::steady_timer(executor), std::vector<asio::cancellation_signal>(tasks.size())});
    shared->wake.expires_at(asio::steady_timer::time_point::max());

    // Starting: co_spawn queues each task on the loop and returns at once.
    // None of them runs until this coroutine suspends below.
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        auto on_end = [shared, i](std::exception_ptr e, std::string value) {
            if (e && !shared->error) {
                shared->error = e;
                shared->wake.cancel();  // the first failure: wake us to cancel the rest
            }
            if (!e) shared->results[i] = std::move(value);
            if (--shared->running == 0) shared->wake.cancel();  // the last one: wake us to return
        };
        // The signal's slot, bound to the handler, is how a cancellation
        // reaches the task: its pending co_await ends with operation_aborted.
        asio::co_spawn(executor, tasks[i](),
                       asio::bind_cancellation_slot(shared->cancel[i].slot(), on_end));
    }
    // Awaiting: as_tuple, because a cancelled wait is the expected way to be
    // woken here, not an error.
    while (shared->running > 0) {
        co_await shared->wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (shared->running > 0 && shared->error) {
            // A task failed while others still run: cancel them (a task that
            // already ended ignores it), then wait again for the last one.
            for (auto& signal : shared->cancel) signal.emit(asio::cancellation_type::terminal);
        }
    }
    if (shared->error) std::rethrow_exception(shared->error);
    co_return std::move(shared->results);
}
// [/slide]

}  // namespace chapter06
