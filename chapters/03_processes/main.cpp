// Chapter 03: processes. Several requests at once, one per process.
//
// The idea: fork() copies the whole program into a new process, which then
// runs beside the first with its own memory. Nothing is shared unless it is
// sent, so nothing can race; the price is a whole process per worker, and
// everything between them must travel through a pipe as bytes.
//
// Python (the talk):  multiprocessing.Process workers on a JoinableQueue
// C++ (here):         fork() workers, a pipe each for jobs, one shared pipe for results
//
// In Python this is how CPU-bound code escapes the GIL. For waiting on the
// network it buys nothing that threads did not, and costs more.
//
// Run it: ./workbook run 03     Options: chapter03 [WORKERS]
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <set>

#include "exercise.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/resources.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

int fetch_with_processes(const workbook::ApiConfig& api, int workers) {
    const auto& repos = workbook::repositories();
    std::cout
        << "Fetching " << repos.size() << " repositories from " << api.origin() << " with "
        << workers << " worker processes (this one is " << ::getpid() << ")\n"
        << std::flush;  // flushed before fork(), or each child would inherit and print it again

    workbook::announce_arrivals();
    workbook::Stopwatch stopwatch;
    workbook::step("processes_main");
    // [slide:processes_main]
    const auto results = chapter03::fetch_all(api, repos, workers);
    // [/slide]
    const auto elapsed = stopwatch.elapsed();

    std::vector<workbook::FetchResult> fetched;
    std::set<int> processes;
    for (const auto& [result, pid] : results) {
        fetched.push_back(result);
        if (result.ok()) processes.insert(pid);
    }
    const int code = workbook::print_results(fetched, elapsed, [&](std::size_t i) {
        return "  (process " + std::to_string(results[i].pid) + ")";
    });
    const auto usage = workbook::resource_usage();
    // Each child has its own memory: the parent's peak plus, for each worker,
    // about the largest child's.
    std::cout << std::fixed << std::setprecision(1) << "Resources: " << processes.size()
              << " processes answered; parent peak " << usage.peak_rss_kb / 1024.0
              << " MiB, largest worker peak " << usage.children_peak_rss_kb / 1024.0 << " MiB, cpu "
              << usage.cpu_ms << " ms in all\n";
    return code;
}

int main(int argc, char** argv) {
    return workbook::demo_main(argc, argv, {5, 200, "chapter03 [WORKERS 1-200]"},
                               fetch_with_processes);
}
