// Chapter 07: asynchronous HTTP. Every repository at once, on one thread.
//
// The idea: chapters 02 to 04 overlapped the waiting by adding threads or
// processes, one per request in flight. On the event loop a request in
// flight is only a suspended coroutine and a socket, so *all* of them can be
// in flight at once, on the one thread that runs the loop.
//
// Python (the talk):  async with aiohttp.ClientSession() as session: ... await response.json()
//                     loop.run_until_complete(asyncio.wait([get(url) for url in REPOS]))
// C++ (here):         co_await workbook::task_group(fetch_one(client, api, name) for every name)
//
// Run it: ./workbook run 07
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <iostream>

#include "exercise.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/resources.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

int fetch_on_one_loop(const workbook::ApiConfig& api) {
    const auto& repos = workbook::repositories();
    std::cout << "Fetching " << repos.size() << " repositories from " << api.origin()
              << ", all at once, on one thread\n";

    workbook::announce_arrivals();
    workbook::Stopwatch stopwatch;
    std::vector<workbook::FetchResult> results;
    workbook::step("async_main");
    // [slide:async_main]
    asio::io_context loop(1);  // 1: a hint that only one thread will run it
    asio::co_spawn(loop, chapter07::fetch_all(api, repos),
                   [&](std::exception_ptr error, std::vector<workbook::FetchResult> fetched) {
                       if (error)
                           std::rethrow_exception(error);  // out of loop.run(), to guarded_main
                       results = std::move(fetched);
                   });
    loop.run();
    // [/slide]
    const int code = workbook::print_results(results, stopwatch.elapsed());
    // One thread runs the loop; Asio resolves host names (getaddrinfo blocks)
    // on a helper thread of its own.
    std::cout << "Resources: " << workbook::to_string(workbook::resource_usage())
              << ", the loop on one thread\n";
    return code;
}

int main() {
    return workbook::demo_main(fetch_on_one_loop);
}
