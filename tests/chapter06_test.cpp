// Chapter 06 specification: gather (06.1) starts every task before any
// finishes, returns results in input order, and passes an exception on
// after the other tasks have ended. Concurrency is proven by the order of
// recorded events, never by a stopwatch. Read it; do not edit it.
#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>
#include <stdexcept>

#include "exercise.hpp"
#include "support/run_loop.hpp"

using namespace std::chrono_literals;

namespace {

// Runs gather(tasks) on a fresh loop, with a deadline.
std::vector<std::string> run_gather(std::vector<chapter06::Task> tasks) {
    return workbook::testing::run_loop(chapter06::gather(std::move(tasks)), 5s);
}

// A task that logs "start NAME" and "end NAME" around a timer.
chapter06::Task logged(std::vector<std::string>& log, std::string name, std::chrono::milliseconds wait,
                       bool fail = false) {
    return [&log, name, wait, fail]() -> asio::awaitable<std::string> {
        log.push_back("start " + name);
        asio::steady_timer timer(co_await asio::this_coro::executor, wait);
        co_await timer.async_wait(asio::use_awaitable);
        log.push_back("end " + name);
        if (fail) throw std::runtime_error(name + " failed on purpose");
        co_return name;
    };
}

}  // namespace

TEST_CASE("06.1 gather returns every result in the order of the tasks") {
    std::vector<std::string> log;
    // Slowest first: they finish in the reverse order.
    const auto results = run_gather({logged(log, "a", 90ms), logged(log, "b", 60ms), logged(log, "c", 30ms)});
    CHECK(results == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("06.1 gather starts every task before any finishes") {
    std::vector<std::string> log;
    run_gather({logged(log, "a", 50ms), logged(log, "b", 50ms), logged(log, "c", 50ms), logged(log, "d", 50ms)});
    REQUIRE(log.size() == 8);
    // Awaiting each in turn would give start a, end a, start b, ...
    for (int i = 0; i < 4; ++i) {
        CAPTURE(log);
        CHECK(log[static_cast<std::size_t>(i)].rfind("start", 0) == 0);
    }
}

TEST_CASE("06.1 gather lets the other tasks finish and then throws the failure") {
    std::vector<std::string> log;
    CHECK_THROWS_WITH(run_gather({logged(log, "a", 20ms), logged(log, "b", 10ms, /*fail=*/true),
                                  logged(log, "c", 60ms)}),
                      "b failed on purpose");
    CHECK(std::count(log.begin(), log.end(), "end c") == 1);  // c was not abandoned
}

TEST_CASE("06.1 gather of no tasks returns no results") {
    CHECK(run_gather({}).empty());
}
