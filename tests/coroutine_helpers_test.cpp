// The coroutine helpers in shared/: task_group (asyncio.TaskGroup: a failure
// or a cancellation cancels every task, and it still waits for all of them), with_timeout (a
// timeout that cancels the work, and lets a fast failure through at once) and AsyncSemaphore (a
// cancelled waiter leaves the line). The chapters' references and the HTTP
// client rely on them; these tests hold them to it without any chapter.
// "At once" is judged by the order of events against a timer that would
// have fired first otherwise, never by a stopwatch.
#include "support/doctest.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/run_loop.hpp"
#include "workbook/async_semaphore.hpp"
#include "workbook/task_group.hpp"
#include "workbook/timeout.hpp"

using namespace std::chrono_literals;
using workbook::testing::run_loop;

namespace {

// Waits `wait`, then returns `value`; a cancellation ends the wait at once
// and comes out as "cancelled" (as chapter 08's fetch_one does).
asio::awaitable<std::string> sleepy(std::chrono::milliseconds wait, std::string value,
                                    std::vector<std::string>& log) {
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    try {
        co_await timer.async_wait(asio::use_awaitable);
    } catch (const asio::system_error&) {
        log.push_back(value + " cancelled");
        co_return "cancelled";
    }
    log.push_back(value + " done");
    co_return value;
}

}  // namespace

TEST_CASE("with_timeout returns the work's value when it ends in time") {
    std::vector<std::string> log;
    const auto value = run_loop(workbook::with_timeout(sleepy(10ms, "quick", log), 1s));
    CHECK(value == "quick");
}

TEST_CASE("with_timeout throws TimeoutError and the work is cancelled before it returns") {
    std::vector<std::string> log;
    std::string error;
    std::vector<std::string> log_when_thrown;
    run_loop([&]() -> asio::awaitable<int> {
        try {
            co_await workbook::with_timeout(sleepy(10s, "slow", log), 100ms);
        } catch (const workbook::TimeoutError& e) {
            error = e.what();
            log_when_thrown = log;
        }
        co_return 0;
    }());
    CHECK(error == "no answer within 100 ms");
    // The work had ended, cancelled (not after its 10 s), when with_timeout threw.
    CHECK(log_when_thrown == std::vector<std::string>{"slow cancelled"});
}

TEST_CASE("with_timeout lets a fast failure through at once - not after the timer") {
    // The trap of Asio 1.22's awaitable operator||: it waits for a success.
    std::vector<std::string> log;
    run_loop([&]() -> asio::awaitable<int> {
        auto executor = co_await asio::this_coro::executor;
        asio::steady_timer tick(executor,
                                1s);  // fires long before the 10 s timeout, long after "at once"
        tick.async_wait([&](std::error_code error) {
            if (!error) log.push_back("1 s passed");
        });
        auto fails = []() -> asio::awaitable<std::string> {
            throw std::runtime_error("refused");
            co_return "";
        };
        try {
            co_await workbook::with_timeout(fails(), 10s);
        } catch (const std::runtime_error& e) {
            log.push_back(e.what());
        }
        tick.cancel();
        co_return 0;
    }());
    CHECK(log == std::vector<std::string>{"refused"});
}

TEST_CASE("with_timeout cancelled itself cancels the work and throws operation_aborted") {
    std::vector<std::string> log;
    std::error_code code;
    run_loop(
        [&]() -> asio::awaitable<int> {
            auto executor = co_await asio::this_coro::executor;
            asio::cancellation_signal cancel;
            asio::steady_timer soon(executor, 50ms);
            soon.async_wait(
                [&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
            try {
                co_await asio::co_spawn(
                    executor, workbook::with_timeout(sleepy(10s, "slow", log), 10s),
                    asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
            } catch (const asio::system_error& e) {
                code = e.code();
            }
            co_return 0;
        }(),
        5s);
    CHECK(code == asio::error::operation_aborted);
    CHECK(log == std::vector<std::string>{"slow cancelled"});
}

TEST_CASE("task_group cancelled cancels every task and still returns every result") {
    std::vector<std::string> log;
    const auto results = run_loop(
        [&]() -> asio::awaitable<std::vector<std::string>> {
            auto executor = co_await asio::this_coro::executor;
            std::vector<std::function<asio::awaitable<std::string>()>> tasks{
                [&] { return sleepy(10ms, "a", log); },
                [&] { return sleepy(10s, "b", log); },
                [&] { return sleepy(10s, "c", log); },
            };
            asio::cancellation_signal cancel;
            asio::steady_timer soon(executor, 200ms);
            soon.async_wait(
                [&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
            co_return co_await asio::co_spawn(
                executor, workbook::task_group(std::move(tasks)),
                asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
        }(),
        5s);
    CHECK(results == std::vector<std::string>{"a", "cancelled", "cancelled"});
    CHECK(log.size() == 3);  // every task had ended when task_group returned
}

TEST_CASE("AsyncSemaphore serves waiters in order and a cancelled waiter leaves the line") {
    workbook::AsyncSemaphore semaphore(1);
    std::vector<std::string> log;
    run_loop(
        [&]() -> asio::awaitable<int> {
            auto executor = co_await asio::this_coro::executor;
            auto held = co_await semaphore.acquire();
            asio::cancellation_signal cancel_second;
            const auto waiter = [&](std::string name) {
                return [&, name](std::exception_ptr e, workbook::AsyncSemaphore::Slot) {
                    log.push_back(name + (e ? " cancelled" : " got it"));
                };
            };
            asio::co_spawn(executor, semaphore.acquire(), waiter("first"));
            asio::co_spawn(executor, semaphore.acquire(),
                           asio::bind_cancellation_slot(cancel_second.slot(), waiter("second")));
            asio::co_spawn(executor, semaphore.acquire(), waiter("third"));
            asio::steady_timer step(executor, 20ms);
            co_await step.async_wait(asio::use_awaitable);
            CHECK(semaphore.waiting() == 3);
            cancel_second.emit(asio::cancellation_type::terminal);
            step.expires_after(20ms);
            co_await step.async_wait(asio::use_awaitable);
            CHECK(semaphore.waiting() == 2);
            held = workbook::AsyncSemaphore::Slot{};  // to "first", which gives it back at once, to
                                                      // "third"
            step.expires_after(20ms);
            co_await step.async_wait(asio::use_awaitable);
            co_return 0;
        }(),
        5s);
    CHECK(log == std::vector<std::string>{"second cancelled", "first got it", "third got it"});
    CHECK(semaphore.available() == 1);
    CHECK(semaphore.waiting() == 0);
}

TEST_CASE(
    "task_group cancels the other tasks on the first failure and waits for them before it throws") {
    std::vector<std::string> log;
    std::vector<std::string> log_when_thrown;
    std::string error;
    run_loop(
        [&]() -> asio::awaitable<int> {
            std::vector<std::function<asio::awaitable<std::string>()>> tasks{
                [&] { return sleepy(10s, "a", log); },
                [&]() -> asio::awaitable<std::string> {
                    co_await sleepy(10ms, "b", log);
                    throw std::runtime_error("b failed on purpose");
                },
                [&] { return sleepy(10s, "c", log); },
            };
            try {
                co_await workbook::task_group(std::move(tasks));
            } catch (const std::runtime_error& e) {
                error = e.what();
                log_when_thrown = log;  // what had ended by the time the failure reached us
            }
            co_return 0;
        }(),
        5s);
    CHECK(error == "b failed on purpose");
    CHECK(log_when_thrown == std::vector<std::string>{"b done", "a cancelled", "c cancelled"});
}
