// Chapter 06 reference answer.
#include "exercise.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <memory>

namespace chapter06 {

// [slide:gather]
asio::awaitable<std::vector<std::string>> gather(std::vector<Task> tasks) {
    auto executor = co_await asio::this_coro::executor;
    // What the tasks share with us. Everything runs on one loop thread, so
    // plain fields need no lock: only one piece of code runs at a time.
    struct Shared {
        std::vector<std::string> results;
        std::exception_ptr error;
        std::size_t running;
        asio::steady_timer all_done;  // never fires by itself; cancelled when running hits 0
    };
    auto shared = std::make_shared<Shared>(Shared{std::vector<std::string>(tasks.size()), nullptr,
                                                  tasks.size(), asio::steady_timer(executor)});
    shared->all_done.expires_at(asio::steady_timer::time_point::max());

    // Starting: co_spawn queues each task on the loop and returns at once.
    // None of them runs until this coroutine suspends below.
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        asio::co_spawn(executor, tasks[i](), [shared, i](std::exception_ptr e, std::string value) {
            if (e && !shared->error) shared->error = e;
            if (!e) shared->results[i] = std::move(value);
            if (--shared->running == 0) shared->all_done.cancel();
        });
    }
    // Awaiting: suspend until the last task's handler cancels the timer.
    if (shared->running > 0) {
        co_await shared->all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    if (shared->error) std::rethrow_exception(shared->error);
    co_return std::move(shared->results);
}
// [/slide]

}  // namespace chapter06
