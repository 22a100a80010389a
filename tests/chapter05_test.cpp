// Chapter 05 specification: greet_after (05.1) waits on a timer and lets the
// loop run other coroutines meanwhile; run_until_complete (05.2) is asyncio's
// loop.run_until_complete: it runs a coroutine to its end, hands back its
// value or its exception, and returns as soon as that coroutine is done, even
// while tasks it started are still pending. Each test runs its loop with a
// deadline, so a coroutine that never ends fails the test instead of hanging
// it. Read it; do not edit it.
#include "support/doctest.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "exercise.hpp"
#include "support/run_loop.hpp"

using workbook::testing::run_loop;

using namespace std::chrono_literals;

namespace {
asio::awaitable<std::string> chapter05_test_inner() {
    asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return "inner done";
}
}  // namespace

TEST_CASE("05.1 greet_after returns the greeting") {
    CHECK(run_loop(chapter05::greet_after("Ana", 10ms)) == "Hello World, Ana!");
}

TEST_CASE("05.1 greet_after waits at least its delay") {
    const auto start = std::chrono::steady_clock::now();
    run_loop(chapter05::greet_after("Bruno", 100ms));
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    // A lower bound: never flaky.
    CHECK_MESSAGE(waited >= 100ms, "greet_after returned after "
                                       << waited.count()
                                       << " ms, before its 100 ms delay: is the delay "
                                          "given to the timer, and its wait awaited?");
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
    REQUIRE_MESSAGE(finished.size() == 2,
                    "only " << finished.size() << " of the 2 greetings finished within 3 s");
    CHECK_MESSAGE(
        finished[0] == "Hello World, fast!",
        "the slow greeting (started first) finished first: greet_after blocked the loop's thread "
        "(std::this_thread::sleep_for?) instead of co_await-ing an asio::steady_timer");
    CHECK(finished[1] == "Hello World, slow!");
}

TEST_CASE("05.2 run_until_complete returns what the coroutine returns") {
    auto answer = []() -> asio::awaitable<std::string> { co_return "forty-two"; };
    CHECK(chapter05::run_until_complete(answer()) == "forty-two");
}

TEST_CASE("05.2 run_until_complete runs the coroutine through its own waits") {
    // main awaits a timer and another coroutine before it returns: the loop
    // must keep running it until it is done, not just start it.
    auto waits_twice = []() -> asio::awaitable<std::string> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        co_await timer.async_wait(asio::use_awaitable);
        co_return co_await chapter05_test_inner();
    };
    CHECK_MESSAGE(chapter05::run_until_complete(waits_twice()) == "inner done",
                  "run the loop (loop.run()) until main is done, not only one step of it");
}

TEST_CASE("05.2 run_until_complete returns when main is done and leaves its other tasks pending") {
    // asyncio's loop.run_until_complete(main) returns as soon as main is done;
    // a task main started and never awaited stays pending. io_context::run()
    // alone would instead wait for that task too (here a whole second).
    bool side_task_done = false;
    auto starts_more = [&]() -> asio::awaitable<std::string> {
        auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(
            executor,
            [&]() -> asio::awaitable<void> {
                asio::steady_timer timer(co_await asio::this_coro::executor, 1s);
                co_await timer.async_wait(asio::use_awaitable);
                side_task_done = true;
            },
            [](std::exception_ptr) {});
        co_return "started";
    };
    CHECK(chapter05::run_until_complete(starts_more()) == "started");
    CHECK_MESSAGE(
        !side_task_done,
        "run_until_complete waited for a task that main started but never awaited: asyncio's "
        "returns as soon as main is done. Stop the loop in main's completion handler (loop.stop()); "
        "a bare loop.run() runs until no work at all is left");
}

TEST_CASE("05.2 run_until_complete throws the coroutine's exception") {
    auto fails = []() -> asio::awaitable<std::string> {
        throw std::runtime_error("on purpose");
        co_return "";
    };
    CHECK_THROWS_WITH_AS_MESSAGE(
        chapter05::run_until_complete(fails()), "on purpose", std::runtime_error,
        "keep the exception_ptr the completion handler receives, and rethrow it "
        "(std::rethrow_exception) after the loop has run");
}
