// Chapter 05 exercise: your file. Make `./workbook check 05` green.
//
// greet_after (TODO 05.1), a coroutine with a timer; run_until_complete
// (TODO 05.2), the loop that runs one. exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 05.1` (or 05.2).
#include "exercise.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <optional>

#include "workbook/todo.hpp"

namespace chapter05 {

asio::awaitable<std::string> greet_after(std::string name, std::chrono::milliseconds delay) {
    // TODO(05.1): the executor is `co_await asio::this_coro::executor`.
    (void)name, (void)delay;
    workbook::todo("05.1");
    co_return "";  // a coroutine needs a co_ somewhere; never reached
}

std::string run_until_complete(asio::awaitable<std::string> main) {
    // TODO(05.2): io_context, co_spawn with a handler that stops the loop,
    // run(), then the result.
    (void)main;
    workbook::todo("05.2");
}

}  // namespace chapter05
