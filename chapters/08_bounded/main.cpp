// Chapter 08: bounded concurrency. At most ten requests in flight, a timeout
// for each, and Ctrl-C that stops the whole batch cleanly.
//
// The idea: chapter 07 put every request in flight at once. That is rude to
// the server (and GitHub answers with a rate limit), and at ten thousand it
// runs into the machine's limits. A limit is a semaphore, but it must be one
// that suspends the coroutine, not the thread: the loop's one thread is
// everybody's.
//
// Python (the talk):  paco.run(paco.wait(tasks, limit=10))
//                     (asyncio: `async with asyncio.Semaphore(10):` in each task)
// C++ (here):         auto slot = co_await limit.acquire(); ... in each task,
//                     task_group over all of them
//
// Run it: ./workbook run 08            (limit 10)
//         build/release/chapter08 3     (limit 3; Ctrl-C cancels)
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "exercise.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/resources.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

int fetch_bounded(const workbook::ApiConfig& api, int limit) {
    const auto& repos = workbook::repositories();
    std::cout << "Fetching " << repos.size() << " repositories from " << api.origin()
              << ", at most " << limit << " in flight, on one thread (Ctrl-C cancels)\n";

    workbook::announce_arrivals();
    workbook::Stopwatch stopwatch;
    std::vector<workbook::FetchResult> results;
    bool interrupted = false;
    workbook::step("cancel_main");
    // [slide:cancel_main]
    asio::io_context loop(1);
    // Ctrl-C is a signal like any other event: the loop waits for it too.
    asio::signal_set signals(loop, SIGINT, SIGTERM);
    asio::cancellation_signal cancel;
    signals.async_wait([&](std::error_code error, int) {
        if (error) return;  // the batch ended first and stopped listening
        interrupted = true;
        std::cerr << "Interrupted: cancelling every request still waiting or in flight...\n";
        cancel.emit(asio::cancellation_type::terminal);  // reaches every task through task_group
    });
    asio::co_spawn(loop, chapter08::fetch_all(api, repos, static_cast<std::size_t>(limit)),
                   asio::bind_cancellation_slot(
                       cancel.slot(),
                       [&](std::exception_ptr error, std::vector<workbook::FetchResult> fetched) {
                           signals.cancel();  // nothing left to cancel: let loop.run() return
                           if (error)
                               std::rethrow_exception(error);  // out of loop.run(), to guarded_main
                           results = std::move(fetched);
                       }));
    loop.run();  // returns once the batch has ended, cancelled or not: every socket is closed by
                 // then
    // [/slide]
    const int code = workbook::print_results(results, stopwatch.elapsed());
    std::cout << "Resources: " << workbook::to_string(workbook::resource_usage())
              << ", the loop on one thread\n";
    if (interrupted) {
        std::cerr
            << "Cancelled by Ctrl-C: the lines above are every repository that had finished.\n";
        return 130;
    }
    return code;
}

int main(int argc, char** argv) {
    return workbook::demo_main(
        argc, argv,
        {10, 100'000, "chapter08 [LIMIT]   (at most LIMIT requests in flight, default 10)"},
        fetch_bounded);
}
