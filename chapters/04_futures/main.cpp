// Chapter 04: futures. A pool of threads, and results in the order asked.
//
// The idea: instead of managing threads and a queue by hand (chapter 02),
// hand jobs to a pool and get a future for each: a placeholder for a result
// that is not there yet. Waiting on the futures in the order you submitted
// them gives the results in that order, whichever finished first, and a job
// that failed throws its exception where you wait for it.
//
// Python (the talk):  with ThreadPoolExecutor(5) as executor: executor.map(get_repo_info, REPOS)
// C++ (here):         ThreadPool pool(5); map_in_order(pool, repos, fetch)
//
// Run it: ./workbook run 04     Options: chapter04 [WORKERS]
#include <iostream>

#include "exercise.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/resources.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

int fetch_with_futures(const workbook::ApiConfig& api, int workers) {
    const auto& repos = workbook::repositories();
    std::cout << "Fetching " << repos.size() << " repositories from " << api.origin()
              << " on a pool of " << workers << " threads\n";

    workbook::announce_arrivals();
    workbook::Stopwatch stopwatch;
    std::vector<workbook::FetchResult> results;
    workbook::step("futures_main");
    // [slide:futures_main]
    {
        chapter04::ThreadPool pool(workers);
        results =
            chapter04::map_in_order(pool, repos, chapter04::fetch_with_client_per_thread(api));
    }  // the pool's destructor joins its threads here, like leaving Python's `with`
    // [/slide]
    const int code = workbook::print_results(results, stopwatch.elapsed());
    std::cout << "Resources: " << workbook::to_string(workbook::resource_usage())
              << " with a pool of " << workers << " threads\n";
    return code;
}

int main(int argc, char** argv) {
    return workbook::demo_main(argc, argv, {5, 1000, "chapter04 [WORKERS 1-1000]"},
                               fetch_with_futures);
}
