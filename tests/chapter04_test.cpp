// Chapter 04 specification: the ThreadPool (04.1) runs every job once, never
// more at a time than it has threads, and finishes its queue before it is
// destroyed; map_in_order (04.2) keeps the input order and the errors.
// Read it; do not edit it.
#include "support/doctest.hpp"

#include <atomic>
#include <random>

#include "exercise.hpp"
#include "support/eventually.hpp"
#include "support/results.hpp"
#include "support/test_stand_in.hpp"
#include "support/watchdog.hpp"

using namespace std::chrono_literals;
using chapter04::ThreadPool;
using workbook::Fault;
using workbook::testing::check_all_ok_in_order;
using workbook::testing::eventually;
using workbook::testing::if_it_hangs;
using workbook::testing::mentions;
using workbook::testing::quick;
using workbook::testing::TestStandIn;

namespace {

// Counts jobs running at the same moment, and the most there ever were.
struct Concurrency {
    std::atomic<int> now{0}, most{0};
    void enter() {
        const int n = ++now;
        int seen = most;
        while (n > seen && !most.compare_exchange_weak(seen, n)) {
        }
    }
    void leave() { --now; }
};

constexpr const char* pool_hangs =
    "the pool never finished: its destructor must tell the workers to stop (under the lock), wake every one "
    "of them (notify_all), and each worker must keep taking jobs until the queue is empty and stopping, with "
    "a predicate on its wait; then join them all";

}  // namespace

TEST_CASE("04.1 a pool runs every posted job exactly once") {
    if_it_hangs(pool_hangs, std::chrono::seconds(15));
    std::vector<std::atomic<int>> runs(2000);
    {
        ThreadPool pool(4);
        for (auto& r : runs) pool.post([&r] { ++r; });
    }  // the destructor waits for all of them
    int lost = 0, twice = 0;
    for (auto& r : runs) {
        lost += r.load() == 0;
        twice += r.load() > 1;
    }
    CHECK_MESSAGE(lost == 0,
                  lost << " of 2000 jobs never ran: the destructor stopped the workers before the "
                          "queue was empty?");
    CHECK_MESSAGE(
        twice == 0,
        twice << " of 2000 jobs ran more than once: take a job out of the queue under the "
                 "same lock that checks it is there");
}

TEST_CASE("04.1 a pool never runs more jobs at once than it has threads") {
    if_it_hangs(pool_hangs, std::chrono::seconds(15));
    Concurrency c;
    std::atomic<bool> gave_up{false};
    {
        ThreadPool pool(3);
        CHECK(pool.size() == 3);
        for (int i = 0; i < 12; ++i) {
            pool.post([&c, &gave_up] {
                c.enter();
                // Each job stays until three run at once: a pool of 3 that
                // runs its jobs side by side gets there at once, however
                // busy the machine. One that cannot (a lock held while a job
                // runs) is given 2 s, once, and then no job waits any more.
                if (!gave_up && !eventually([&] { return c.now.load() >= 3; }, 2s)) gave_up = true;
                c.leave();
            });
        }
    }
    CHECK_MESSAGE(c.most.load() <= 3, c.most.load()
                                          << " jobs ran at once on a pool of 3: a thread per job?");
    CHECK_MESSAGE(c.most.load() >= 3,
                  "at most " << c.most.load()
                             << " job(s) ran at once on a pool of 3 threads with 12 waiting: do "
                                "the workers hold the lock while they run a job? Release it "
                                "before calling the job");
}

TEST_CASE("04.1 destroying a pool finishes the jobs already queued") {
    if_it_hangs(pool_hangs, std::chrono::seconds(15));
    std::atomic<int> done{0};
    {
        ThreadPool pool(2);
        for (int i = 0; i < 10; ++i) {
            pool.post([&done] {
                std::this_thread::sleep_for(10ms);
                ++done;
            });
        }
    }  // destroyed while most jobs are still waiting in the queue
    CHECK_MESSAGE(done.load() == 10,
                  "only " << done.load()
                          << " of 10 queued jobs ran before the pool was gone: its workers "
                             "must empty the queue before they stop");
}

TEST_CASE("04.1 submit gives a future of the value or of the exception") {
    if_it_hangs(
        "a future never became ready: does submit() post the packaged_task itself, so that running "
        "it sets the future's value or exception?",
        std::chrono::seconds(15));
    ThreadPool pool(2);
    auto answer = pool.submit([] { return 42; });
    auto failure = pool.submit([]() -> int { throw std::runtime_error("on purpose"); });
    CHECK(answer.get() == 42);
    CHECK_THROWS_WITH(failure.get(), "on purpose");
}

TEST_CASE("04.2 map_in_order returns results in input order whatever order they finish in") {
    if_it_hangs(pool_hangs, std::chrono::seconds(20));
    // The first names are the slowest, so the fetches finish roughly in
    // reverse order; the results must not.
    auto options = quick();
    const auto& names = workbook::repositories();
    std::vector<int> latency(names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
        latency[i] = static_cast<int>(10 * (names.size() - i));
    std::shuffle(latency.begin() + 10, latency.end(), std::mt19937(2017));  // and some shuffled
    for (std::size_t i = 0; i < names.size(); ++i)
        options.latency_for[names[i]] = std::chrono::milliseconds(latency[i]);
    TestStandIn s(options);
    ThreadPool pool(20);
    const auto results =
        chapter04::map_in_order(pool, names, chapter04::fetch_with_client_per_thread(s.api));
    check_all_ok_in_order(results, names);
    // The stand-in saw them finish out of order: the order above is map_in_order's doing.
    const auto log = s.stats().log;
    REQUIRE(log.size() == names.size());
    const auto finished_first = std::min_element(
        log.begin(), log.end(), [](auto& a, auto& b) { return a.end_us < b.end_us; });
    CHECK(finished_first->path != "/repos/" + names.front());
}

TEST_CASE("04.2 map_in_order reports a failed repository by name and keeps the others") {
    TestStandIn s(
        quick({{"twisted/twisted", Fault::not_found}, {"gevent/gevent", Fault::malformed}}));
    ThreadPool pool(3);
    const std::vector<std::string> names = {"python/cpython", "twisted/twisted", "gevent/gevent",
                                            "tornadoweb/tornado"};
    const auto results =
        chapter04::map_in_order(pool, names, chapter04::fetch_with_client_per_thread(s.api, 5s));
    REQUIRE(results.size() == 4);
    CHECK(results[0].ok());
    CHECK(mentions(results[1].error, "twisted/twisted"));
    CHECK(mentions(results[1].error, "404"));
    CHECK(mentions(results[2].error, "gevent/gevent"));
    REQUIRE(results[3].ok());
    CHECK(results[3].info->full_name == "tornadoweb/tornado");
}

TEST_CASE("04.2 map_in_order keeps as many requests in flight as the pool has threads") {
    if_it_hangs(pool_hangs, std::chrono::seconds(20));
    TestStandIn s(quick({}, 100ms));
    const auto names = workbook::testing::bench_names(12);
    ThreadPool pool(4);
    const auto results =
        chapter04::map_in_order(pool, names, chapter04::fetch_with_client_per_thread(s.api));
    CHECK(results.size() == 12);
    const auto stats = s.stats();
    CHECK(stats.requests == 12);
    CHECK_MESSAGE(stats.max_in_flight == 4,
                  "the stand-in had at most "
                      << stats.max_in_flight
                      << " requests at once from a pool of 4 threads: submit every name "
                         "first and only then get() the futures; a get() right after each "
                         "submit waits for that request before the next one starts");
}
