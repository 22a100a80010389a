// Chapter 05 reference answer.
#include "exercise.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <optional>

namespace chapter05 {

// [slide:greet_after]
asio::awaitable<std::string> greet_after(std::string name, std::chrono::milliseconds delay) {
    // The timer belongs to the loop this coroutine runs on.
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    // co_await suspends this coroutine and returns the thread to the loop,
    // which runs other coroutines until the timer fires and resumes us here.
    co_await timer.async_wait(asio::use_awaitable);
    co_return "Hello World, " + name + "!";
}
// [/slide]

// [slide:run_until_complete]
std::string run_until_complete(asio::awaitable<std::string> main) {
    asio::io_context loop;  // the event loop: a queue of ready work, and one thread to run it
    std::optional<std::string> result;
    std::exception_ptr error;
    // co_spawn schedules `main` on the loop; the handler runs when it ends,
    // with its exception (null if none) and its value.
    asio::co_spawn(loop, std::move(main), [&](std::exception_ptr e, std::string value) {
        error = e;
        if (!e) result = std::move(value);
        // asyncio's run_until_complete returns as soon as its coroutine is
        // done. Without stop(), run() would go on until no work is left at
        // all, waiting for every task `main` started and never awaited.
        loop.stop();
    });
    loop.run();
    // Any task still pending is destroyed with `loop` when we return, the way
    // asyncio warns "Task was destroyed but it is pending!" when its loop is
    // closed under one.
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}
// [/slide]

}  // namespace chapter05
