// Chapter 05 specification: greet_after (05.1) waits on a timer and lets the
// loop run other coroutines meanwhile; run_until_complete (05.2) runs a
// coroutine to its end and hands back its value or its exception. Each test
// runs its loop with a deadline, so a coroutine that never ends fails the test
// instead of hanging it. Read it; do not edit it.
#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "exercise.hpp"
#include "support/run_loop.hpp"

using workbook::testing::run_loop;

using namespace std::chrono_literals;

TEST_CASE("05.1 greet_after returns the greeting") {
    CHECK(run_loop(chapter05::greet_after("Ana", 10ms)) == "Hello World, Ana!");
}

TEST_CASE("05.1 greet_after waits at least its delay") {
    const auto start = std::chrono::steady_clock::now();
    run_loop(chapter05::greet_after("Bruno", 100ms));
    CHECK(std::chrono::steady_clock::now() - start >= 100ms);  // a lower bound: never flaky
}

TEST_CASE("05.1 greet_after lets other coroutines run while it waits") {
    // Started in the order slow, fast. On one thread, a greet_after that
    // blocked the thread (sleep_for) would finish the slow one first; one that
    // waits on a timer lets the fast one finish first.
    asio::io_context loop;
    std::vector<std::string> finished;
    for (auto [name, ms] : {std::pair{"slow", 300}, std::pair{"fast", 30}}) {
        asio::co_spawn(loop, chapter05::greet_after(name, std::chrono::milliseconds(ms)),
                       [&](std::exception_ptr e, std::string greeting) {
                           if (e) std::rethrow_exception(e);
                           finished.push_back(greeting);
                       });
    }
    loop.run_for(3s);
    REQUIRE(finished.size() == 2);
    CHECK(finished[0] == "Hello World, fast!");
    CHECK(finished[1] == "Hello World, slow!");
}

TEST_CASE("05.2 run_until_complete returns what the coroutine returns") {
    auto answer = []() -> asio::awaitable<std::string> { co_return "forty-two"; };
    CHECK(chapter05::run_until_complete(answer()) == "forty-two");
}

TEST_CASE("05.2 run_until_complete runs the loop until nothing is left") {
    // The coroutine starts a second one and returns at once; the loop must
    // go on until that one has finished too.
    bool side_task_done = false;
    auto starts_more = [&]() -> asio::awaitable<std::string> {
        auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(
            executor,
            [&]() -> asio::awaitable<void> {
                asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
                co_await timer.async_wait(asio::use_awaitable);
                side_task_done = true;
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
        co_return "started";
    };
    CHECK(chapter05::run_until_complete(starts_more()) == "started");
    CHECK(side_task_done);
}

TEST_CASE("05.2 run_until_complete throws the coroutine's exception") {
    auto fails = []() -> asio::awaitable<std::string> {
        throw std::runtime_error("on purpose");
        co_return "";
    };
    CHECK_THROWS_WITH_AS(chapter05::run_until_complete(fails()), "on purpose", std::runtime_error);
}
