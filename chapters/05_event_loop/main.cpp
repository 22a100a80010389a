// Chapter 05: the event loop. One thread, many waits.
//
// The idea: a coroutine can stop in the middle (co_await) and let the thread
// do something else until what it waits for is ready. The event loop, an
// asio::io_context here, is the thing that holds every suspended coroutine
// and resumes each when its timer fires or its socket has data. One thread
// can wait on thousands of things at once, because waiting costs no thread.
//
// Python (the talk):  async def hello_world(): ...; loop.run_until_complete(hello_world())
// C++ (here):         asio::awaitable<std::string> hello_world(); run_until_complete(hello_world())
//
// Run it: ./workbook run 05
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <iostream>
#include <sstream>
#include <thread>

#include "exercise.hpp"
#include "workbook/report.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

namespace {

std::string this_thread() {
    std::ostringstream id;
    id << std::this_thread::get_id();
    return id.str();
}

// [slide:hello_world]
asio::awaitable<std::string> hello_world() {
    co_return "Hello World!";  // a coroutine: it has a co_return, so it can be suspended
}
// [/slide]

// A main that starts a task and does not wait for it.
asio::awaitable<std::string> starts_and_leaves() {
    asio::co_spawn(
        co_await asio::this_coro::executor,
        []() -> asio::awaitable<void> {
            std::cout << "  "
                      << co_await chapter05::greet_after("left behind",
                                                         std::chrono::milliseconds(500))
                      << "\n";  // never printed: the loop stops first
        },
        asio::detached);
    co_return "main is done";
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        workbook::step("hello_world_run");
        // [slide:hello_world_run]
        std::cout << chapter05::run_until_complete(hello_world()) << "\n";
        // [/slide]

        // Two waits on one thread: the slow greeting starts first, yet the
        // fast one prints first, and the whole takes as long as the slowest
        // wait, not the sum of both.
        std::cout << "\nTwo coroutines on one loop, on thread " << this_thread() << ":\n";
        workbook::Stopwatch stopwatch;
        workbook::step("two_waits");
        // [slide:two_waits]
        asio::io_context loop;
        for (auto [name, delay] : {std::pair{"slow", 300}, std::pair{"fast", 100}}) {
            asio::co_spawn(
                loop,
                [](std::string who, int ms) -> asio::awaitable<void> {
                    const auto greeting =
                        co_await chapter05::greet_after(who, std::chrono::milliseconds(ms));
                    std::cout << "  " << greeting << " after " << ms << " ms, on thread "
                              << this_thread() << "\n";
                }(name, delay),
                asio::detached);
        }
        loop.run();  // this thread runs both until both are done
        // [/slide]
        std::cout << workbook::timing_line(stopwatch.elapsed())
                  << " (300 ms + 100 ms of waiting, overlapped)\n";

        // run_until_complete, like asyncio's, returns when its coroutine is
        // done, not when the loop has no work left.
        std::cout
            << "\nrun_until_complete returns when main is done, even with a task still waiting:\n";
        workbook::Stopwatch second;
        std::cout << "  " << chapter05::run_until_complete(starts_and_leaves()) << "; "
                  << workbook::timing_line(second.elapsed())
                  << " (its 500 ms task never printed: left pending, as in asyncio)\n";
        return 0;
    });
}
