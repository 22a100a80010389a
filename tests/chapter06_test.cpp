// Chapter 06 specification: task_group (06.1) keeps asyncio.TaskGroup's
// promise: it starts every task before any finishes, returns results in the
// order of the tasks, and when one task fails it cancels the others, waits
// for them to end, and only then throws that failure. Concurrency is proven
// by the order of recorded events, never by a stopwatch. Read it; do not
// edit it.
#include "support/doctest.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <stdexcept>

#include "exercise.hpp"
#include "support/run_loop.hpp"

using namespace std::chrono_literals;

namespace {

// Runs task_group(tasks) on a fresh loop, with a deadline.
std::vector<std::string> run_group(std::vector<chapter06::Task> tasks) {
    return workbook::testing::run_loop(
        chapter06::task_group(std::move(tasks)), 5s,
        "task_group never returned: does the last task's handler wake it "
        "(timer.cancel()), and does it return at once when there are no tasks?");
}

// A task that logs "start NAME" and "end NAME" around a timer, or
// "cancelled NAME" when the timer's wait is cancelled.
chapter06::Task logged(std::vector<std::string>& log, std::string name,
                       std::chrono::milliseconds wait, bool fail = false) {
    return [&log, name, wait, fail]() -> asio::awaitable<std::string> {
        log.push_back("start " + name);
        asio::steady_timer timer(co_await asio::this_coro::executor, wait);
        try {
            co_await timer.async_wait(asio::use_awaitable);
        } catch (const asio::system_error&) {
            log.push_back("cancelled " + name);
            throw;
        }
        log.push_back("end " + name);
        if (fail) throw std::runtime_error(name + " failed on purpose");
        co_return name;
    };
}

bool contains(const std::vector<std::string>& log, const std::string& entry) {
    return std::find(log.begin(), log.end(), entry) != log.end();
}

std::string joined(const std::vector<std::string>& log) {
    std::string text;
    for (const auto& entry : log) text += (text.empty() ? "" : ", ") + entry;
    return "[" + text + "]";
}

}  // namespace

TEST_CASE("06.1 task_group starts every task before any finishes") {
    std::vector<std::string> log;
    run_group({logged(log, "a", 50ms), logged(log, "b", 50ms), logged(log, "c", 50ms),
               logged(log, "d", 50ms)});
    INFO("the events: " << joined(log));
    REQUIRE(log.size() == 8);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK_MESSAGE(
            log[i].rfind("start", 0) == 0,
            "a task ended before every task had started: the tasks were awaited one at a time "
            "(a co_await inside the loop that starts them) instead of all co_spawn'ed first");
    }
}

TEST_CASE("06.1 task_group returns every result in the order of the tasks") {
    std::vector<std::string> log;
    // Slowest first: they finish in the reverse order.
    const auto results =
        run_group({logged(log, "a", 90ms), logged(log, "b", 60ms), logged(log, "c", 30ms)});
    INFO("results: " << joined(results));
    const std::vector<std::string> finishing_order{"c", "b", "a"};
    CHECK_MESSAGE(
        results != finishing_order,
        "the results are in the order the tasks finished: keep each in its own place, results[i]");
    CHECK(results == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("06.1 task_group of no tasks returns no results") {
    CHECK(run_group({}).empty());
}

TEST_CASE(
    "06.1 task_group cancels the other tasks when one fails and waits for them before it throws") {
    // b fails after 10 ms; a and c would wait a second more. asyncio.TaskGroup
    // cancels a and c, waits until both have ended, then raises b's error.
    std::vector<std::string> log;
    std::vector<std::string> log_when_thrown;
    std::string error;
    workbook::testing::run_loop(
        [&]() -> asio::awaitable<int> {
            // A named vector: g++ 12 cannot take a braced list inside co_await.
            std::vector<chapter06::Task> tasks{logged(log, "a", 1000ms),
                                               logged(log, "b", 10ms, /*fail=*/true),
                                               logged(log, "c", 1000ms)};
            try {
                co_await chapter06::task_group(std::move(tasks));
            } catch (const std::exception& e) {
                error = e.what();
                log_when_thrown = log;  // what had happened when the failure reached the caller
            }
            co_return 0;
        }(),
        5s,
        "task_group never ended after a task failed: are the cancelled tasks counted as ended too?");
    INFO("the events when task_group threw: " << joined(log_when_thrown));
    REQUIRE_MESSAGE(!error.empty(), "task_group did not throw although task b failed");
    REQUIRE_MESSAGE(error == "b failed on purpose",
                    "task_group threw \"" << error
                                          << "\": throw the first failure (b's), not the "
                                             "operation_aborted of a task it cancelled");
    if (contains(log_when_thrown, "end a") || contains(log_when_thrown, "end c")) {
        FAIL_CHECK(
            "a task ran to its end after b had failed: cancel the other tasks (emit each one's "
            "cancellation_signal) instead of waiting for them to finish");
    } else {
        CHECK_MESSAGE(
            (contains(log_when_thrown, "cancelled a") && contains(log_when_thrown, "cancelled c")),
            "task_group threw before a and c had ended: after cancelling them, wait until the count of "
            "running tasks reaches zero (they may borrow from the caller's frame)");
    }
}
