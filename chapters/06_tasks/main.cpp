// Chapter 06: tasks. Start them all, then wait for all.
//
// The idea: calling a coroutine function only makes a coroutine; nothing
// runs until it is started. `co_await task()` starts it *and* waits for it,
// so awaiting three tasks in a row runs them one after another. Starting all
// three first (co_spawn) and then waiting for all of them lets their waits
// overlap: the total is the longest wait, not the sum.
//
// Python (the talk):  tasks = [asyncio.ensure_future(hello_world(n)) for n in names]
//                     loop.run_until_complete(asyncio.wait(tasks))
// Python 3.11:        async with asyncio.TaskGroup() as tg: tg.create_task(...)
// C++ (here):         co_await task_group(tasks)   (co_spawn each, then wait for all)
//
// Run it: ./workbook run 06
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <iostream>
#include <stdexcept>

#include "exercise.hpp"
#include "workbook/report.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

namespace {

using namespace std::chrono_literals;

// One task: say when it starts and when it ends, around a wait. A
// cancellation ends the wait early, with operation_aborted.
asio::awaitable<std::string> hello_world(std::string name, std::chrono::milliseconds wait) {
    std::cout << "  start " << name << "\n";
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    try {
        co_await timer.async_wait(asio::use_awaitable);
    } catch (const asio::system_error& e) {
        if (e.code() == asio::error::operation_aborted) std::cout << "  cancelled " << name << "\n";
        throw;
    }
    std::cout << "  end   " << name << " (" << wait.count() << " ms)\n";
    co_return "Hello World, " + name + "!";
}

// A task that fails after `wait`.
asio::awaitable<std::string> broken(std::string name, std::chrono::milliseconds wait) {
    co_await hello_world(name, wait);
    throw std::runtime_error(name + " failed");
}

const std::vector<std::pair<std::string, std::chrono::milliseconds>> people = {
    {"Ada", 300ms}, {"Grace", 100ms}, {"Linus", 200ms}};

// [slide:one_after_another]
asio::awaitable<void> one_after_another() {
    for (const auto& [name, wait] : people) {
        co_await hello_world(name, wait);  // starts it, and waits for it to end
    }
}
// [/slide]

// [slide:all_at_once]
asio::awaitable<void> all_at_once() {
    std::vector<chapter06::Task> tasks;
    for (const auto& [name, wait] : people) {
        tasks.push_back([name, wait] { return hello_world(name, wait); });
    }
    const auto greetings =
        co_await chapter06::task_group(std::move(tasks));            // start all, wait for all
    for (const auto& g : greetings) std::cout << "  " << g << "\n";  // in the order of `people`
}
// [/slide]

// [slide:one_fails]
asio::awaitable<void> one_fails() {
    std::vector<chapter06::Task> tasks;
    for (const auto& [name, wait] : people) {
        tasks.push_back([name, wait] { return hello_world(name, wait); });
    }
    tasks.push_back([] { return broken("Bug", 50ms); });
    try {
        co_await chapter06::task_group(std::move(tasks));
    } catch (const std::exception& e) {
        // Thrown only once Ada, Grace and Linus have all ended (cancelled).
        std::cout << "  task_group threw: " << e.what() << "\n";
    }
}
// [/slide]

void run(const char* title, asio::awaitable<void> (*program)()) {
    std::cout << title << "\n";
    workbook::Stopwatch stopwatch;
    asio::io_context loop;
    asio::co_spawn(loop, program(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    loop.run();
    std::cout << "  " << workbook::timing_line(stopwatch.elapsed()) << "\n";
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        workbook::step("one_after_another");
        run("Awaiting each task in turn (300 + 100 + 200 ms of waiting, one after another):",
            one_after_another);
        workbook::step("all_at_once");
        run("\nStarting all three, then waiting for all (the same waits, overlapped):",
            all_at_once);
        workbook::step("one_fails");
        run("\nThe same three and one that fails after 50 ms (the others are cancelled, then the error):",
            one_fails);
        return 0;
    });
}
