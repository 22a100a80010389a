// The library's task_group: the design chapter 06 teaches (see
// solutions/06_tasks/exercise.cpp, where each step is explained), kept here,
// out of the public headers, so that the answer to 06.1 stays one to write.
#include "workbook/task_group.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <memory>

namespace workbook::detail {

asio::awaitable<void> run_task_group(std::vector<std::function<asio::awaitable<void>()>> tasks) {
    auto executor = co_await asio::this_coro::executor;
    // Shared with the tasks' handlers, which all run on this loop's thread:
    // plain fields, no lock.
    struct Shared {
        std::exception_ptr error;  // the first failure
        std::size_t running;
        asio::steady_timer wake;  // cancelled by the last task to end, or by the first to fail
        std::vector<asio::cancellation_signal> cancel;  // one per task
    };
    auto shared =
        std::make_shared<Shared>(Shared{nullptr, tasks.size(), asio::steady_timer(executor),
                                        std::vector<asio::cancellation_signal>(tasks.size())});
    shared->wake.expires_at(asio::steady_timer::time_point::max());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        auto on_end = [shared](std::exception_ptr e) {
            if (e && !shared->error) {
                shared->error = e;
                shared->wake.cancel();  // wake the group: it cancels the others
            }
            if (--shared->running == 0) shared->wake.cancel();
        };
        asio::co_spawn(executor, tasks[i](),
                       asio::bind_cancellation_slot(shared->cancel[i].slot(), on_end));
    }
    while (shared->running > 0) {
        co_await shared->wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (shared->running > 0) {
            // Woken while tasks still run: the first one failed, or the
            // group itself was cancelled (a second Ctrl-C passes on again).
            // Either way every task still running is cancelled, and we wait
            // until the last one has ended. The reset lets our own next
            // co_await run although our cancellation state is set.
            // (Emitting to a task that already ended does nothing.)
            co_await asio::this_coro::reset_cancellation_state();
            for (auto& signal : shared->cancel) signal.emit(asio::cancellation_type::terminal);
        }
    }
    if (shared->error) std::rethrow_exception(shared->error);
}

}  // namespace workbook::detail
