// Chapter 02: threads. Several requests at once, one per thread.
//
// The idea: while one thread is blocked waiting for its answer, the others
// go on. Five threads cut the waiting by five, but each thread costs a stack
// and the kernel's bookkeeping, and threads that share data need locks.
//
// Python (the talk):  threading.Thread workers on a queue.Queue
// C++ (here):         std::thread workers on a JobQueue (mutex + condition variable)
//
// Python's threads take turns holding one lock, the GIL, so pure-Python code
// never runs on two cores at once. C++ has no such lock: threads run truly in
// parallel, which is faster, and makes a forgotten lock a real bug. Run
// `chapter02 --race` to watch one.
//
// Run it: ./workbook run 02     Options: chapter02 [WORKERS] [--race]
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "exercise.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/resources.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

namespace {

// [slide:race]
// Four threads add 1 to one counter a million times each. Without a lock two
// threads read the same value, both add 1, both write it back: one increment
// is lost. (This is a data race: undefined behaviour in C++. It is here to be
// seen, once; ThreadSanitizer would report it.)
long count_without_lock(int threads, long each) {
    long counter = 0;
    volatile long* shared = &counter;  // volatile: make every ++ a real load and store
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([=] {
            for (long i = 0; i < each; ++i) *shared = *shared + 1;
        });
    }
    for (auto& t : pool) t.join();
    return counter;
}

long count_with_lock(int threads, long each) {
    long counter = 0;
    std::mutex mutex;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (long i = 0; i < each; ++i) {
                std::lock_guard lock(mutex);  // one thread at a time in here
                ++counter;
            }
        });
    }
    for (auto& t : pool) t.join();
    return counter;
}
// [/slide]

int show_race() {
    constexpr int threads = 4;
    constexpr long each = 1'000'000;
    std::cout << "4 threads, 1,000,000 increments each: expected " << threads * each << "\n"
              << "  without a lock: " << count_without_lock(threads, each) << "\n"
              << "  with a mutex:   " << count_with_lock(threads, each) << "\n"
              << "JobQueue holds its mutex for the same reason: two workers popping at once\n"
              << "could take the same job, or corrupt the deque.\n";
    return 0;
}

}  // namespace

int fetch_with_threads(const workbook::ApiConfig& api, int workers) {
    const auto& repos = workbook::repositories();
    std::cout << "Fetching " << repos.size() << " repositories from " << api.origin() << " with "
              << workers << " threads\n";

    workbook::announce_arrivals();
    workbook::Stopwatch stopwatch;
    workbook::step("threads_main");
    // [slide:threads_main]
    const auto results = chapter02::fetch_all(api, repos, workers);
    // [/slide]
    const int code = workbook::print_results(results, stopwatch.elapsed());
    // The cost side of the slide: every thread reserves a stack (8 MiB of
    // address space by default), which shows in the virtual peak.
    std::cout << "Resources: " << workbook::to_string(workbook::resource_usage()) << " after "
              << workers << " worker threads\n";
    return code;
}

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--race") == 0) return show_race();
    return workbook::demo_main(argc, argv, {5, 1000, "chapter02 [WORKERS 1-1000] | --race"},
                               fetch_with_threads);
}
