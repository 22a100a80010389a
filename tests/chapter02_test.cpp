// Chapter 02 specification: JobQueue (02.1) is safe for many threads at once
// and waits without spinning, and fetch_all (02.2) keeps exactly `workers`
// requests in flight, as the stand-in counts them, with results in input
// order. A test that could hang tells the watchdog what probably hangs, so a
// wrong answer fails with that instead of ctest's timeout. Read it; do not
// edit it.
#include "support/doctest.hpp"

#include <atomic>
#include <ctime>
#include <exception>
#include <list>
#include <thread>

#include "exercise.hpp"
#include "support/asleep.hpp"
#include "support/eventually.hpp"
#include "support/results.hpp"
#include "support/test_stand_in.hpp"
#include "support/watchdog.hpp"

using namespace std::chrono_literals;
using chapter02::Job;
using chapter02::JobQueue;
using workbook::Fault;
using workbook::testing::Arrival;
using workbook::testing::check_all_ok_in_order;
using workbook::testing::eventually;
using workbook::testing::if_it_hangs;
using workbook::testing::mentions;
using workbook::testing::quick;
using workbook::testing::TestStandIn;

namespace {

// A thread for a test: an exception inside it is kept and rethrown by
// join(), so a failing queue fails the test instead of ending the program.
class TestThread {
  public:
    template <class F>
    explicit TestThread(F body)
        : thread_([this, body] {
              try {
                  body();
              } catch (...) {
                  error_ = std::current_exception();
              }
          }) {}
    ~TestThread() {
        if (thread_.joinable()) thread_.join();
    }
    void join() {
        thread_.join();
        if (error_) std::rethrow_exception(error_);
    }

  private:
    std::exception_ptr error_;
    std::thread thread_;  // last: it starts only once error_ exists
};

// CPU time this thread has used, in milliseconds.
double thread_cpu_ms() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

constexpr const char* pop_waits_wrongly =
    "pop() did not return although a job was there, or the queue was closed: wait only while the queue "
    "is empty and open, with a predicate: ready_.wait(lock, [&] { return !jobs_.empty() || closed_; })";

}  // namespace

TEST_CASE("02.1 jobs come out in the order they went in and then pop says none") {
    if_it_hangs(pop_waits_wrongly, std::chrono::seconds(10));
    JobQueue queue;
    queue.push({0, "a/first"});
    queue.push({1, "b/second"});
    queue.close();
    auto first = queue.pop();
    REQUIRE(first);
    CHECK(first->full_name == "a/first");
    auto second = queue.pop();
    REQUIRE(second);
    CHECK(second->index == 1);
    CHECK_FALSE(queue.pop());
    CHECK_FALSE(queue.pop());  // and keeps saying so
}

TEST_CASE("02.1 pop waits for a job that is pushed later") {
    if_it_hangs(
        "push() did not wake the thread waiting in pop(): notify the condition variable after adding "
        "the job (ready_.notify_one())",
        std::chrono::seconds(10));
    JobQueue queue;
    std::optional<Job> got;
    Arrival arrival;
    TestThread waiter([&] {
        arrival.here();
        got = queue.pop();  // the queue is empty and open: it must wait
        arrival.gone();
    });
    CHECK_MESSAGE(arrival.asleep(),
                  "pop() on an empty, open queue neither waited nor returned within 5 s: it spins "
                  "instead of sleeping on the condition variable");
    queue.push({7, "late/job"});
    waiter.join();
    REQUIRE_MESSAGE(
        got,
        "pop() returned none from a queue that was empty but still open: wait for a job instead");
    CHECK(got->index == 7);
}

TEST_CASE("02.1 pop waits without spinning") {
    if_it_hangs(
        "push() did not wake the thread waiting in pop(): notify the condition variable after adding "
        "the job",
        std::chrono::seconds(10));
    JobQueue queue;
    double cpu_ms = 0;
    std::atomic<bool> started{false};
    TestThread waiter([&] {
        const double before = thread_cpu_ms();
        started = true;
        queue.pop();
        cpu_ms = thread_cpu_ms() - before;
    });
    REQUIRE(eventually([&] { return started.load(); }));
    // A window to measure over, not a guess: the job comes 300 ms after the
    // waiter began, and its CPU time over those 300 ms is the figure.
    std::this_thread::sleep_for(300ms);
    queue.push({1, "late/job"});
    waiter.join();
    // Waiting on a condition variable costs next to nothing; a loop that
    // checks again and again burns the whole 300 ms.
    CHECK_MESSAGE(
        cpu_ms < 100.0, "pop() used "
                            << cpu_ms
                            << " ms of CPU while it waited 300 ms for a job: it spins, checking "
                               "again and again, instead of sleeping on the condition variable "
                               "(ready_.wait)");
}

TEST_CASE("02.1 close wakes every thread waiting in pop") {
    if_it_hangs(
        "close() left threads waiting in pop(): it must wake every one of them (notify_all, not "
        "notify_one), and pop() must stop waiting once the queue is closed",
        std::chrono::seconds(10));
    JobQueue queue;
    std::atomic<int> told_to_stop{0};
    std::list<TestThread> waiters;
    std::list<Arrival> arrivals(4);
    for (auto& arrival : arrivals) {
        waiters.emplace_back([&] {
            arrival.here();
            if (!queue.pop()) ++told_to_stop;
            arrival.gone();
        });
    }
    for (const auto& arrival : arrivals)  // close only once all four wait in pop()
        CHECK_MESSAGE(arrival.asleep(),
                      "pop() on an empty, open queue neither waited nor returned within 5 s");
    queue.close();
    for (auto& t : waiters)
        t.join();  // a close that wakes only one hangs here (and the watchdog says so)
    CHECK(told_to_stop.load() == 4);
}

TEST_CASE("02.1 many threads pushing and popping at once see every job exactly once") {
    if_it_hangs(pop_waits_wrongly, std::chrono::seconds(20));
    JobQueue queue;
    constexpr int producers = 2, consumers = 6, each = 20'000;
    std::vector<std::atomic<int>> seen(producers * each);
    std::list<TestThread> threads;
    for (int c = 0; c < consumers; ++c) {
        threads.emplace_back([&] {
            while (auto job = queue.pop()) ++seen[job->index];
        });
    }
    std::list<TestThread> pushers;
    for (int p = 0; p < producers; ++p) {
        pushers.emplace_back([&, p] {
            for (int i = 0; i < each; ++i)
                queue.push({static_cast<std::size_t>(p * each + i), "x/y"});
        });
    }
    for (auto& t : pushers) t.join();
    queue.close();
    for (auto& t : threads) t.join();
    int lost = 0, doubled = 0;
    for (auto& s : seen) {
        lost += s == 0;
        doubled += s > 1;
    }
    CHECK_MESSAGE(
        lost == 0,
        lost << " jobs were never popped: two threads changed the deque at the same time? "
                "Hold the mutex in push() and pop()");
    CHECK_MESSAGE(doubled == 0,
                  doubled << " jobs were popped twice: the check that the queue is not empty and "
                             "the pop_front() must happen under one lock");
}

constexpr const char* fetch_all_hangs =
    "fetch_all never returned: close the queue once every job is in, so that each worker's pop() returns "
    "none and its loop ends; then join every thread";

TEST_CASE("02.2 fetch_all returns every repository once and in input order") {
    if_it_hangs(fetch_all_hangs, std::chrono::seconds(20));
    const auto& names = workbook::repositories();
    // The first repository answers slowest: answers arrive in the reverse
    // order, and results must still come back in the order of `names`.
    auto options = workbook::testing::quick();
    workbook::testing::slowest_first(options, names, 10ms);
    TestStandIn s(options);
    const auto results = chapter02::fetch_all(s.api, names, 5);
    check_all_ok_in_order(results, names);
    CHECK(s.stats().requests == static_cast<long long>(names.size()));
}

TEST_CASE("02.2 fetch_all keeps exactly as many requests in flight as it has workers") {
    // 100 ms each: long enough for every worker to have its request in
    // flight before the first answer comes back.
    TestStandIn s(quick({}, 100ms));
    const auto names = workbook::testing::bench_names(12);
    if_it_hangs(fetch_all_hangs, std::chrono::seconds(20));
    for (int workers : {4, 1}) {
        CAPTURE(workers);
        s.reset_stats();
        const auto results = chapter02::fetch_all(s.api, names, workers);
        CHECK(results.size() == names.size());
        const auto stats = s.stats();
        CHECK_MESSAGE(stats.requests == 12, "the stand-in served "
                                                << stats.requests
                                                << " requests for 12 repositories: each "
                                                   "repository exactly once");
        if (workers > 1) {
            REQUIRE_MESSAGE(
                stats.max_in_flight > 1,
                "with "
                    << workers
                    << " workers the stand-in never had more than one request at once. "
                       "Either the threads run one after another (each joined right after it "
                       "starts: start them all, then join them all), or they share one client: "
                       "a cpp-httplib Client sends one request at a time, so each thread needs its own");
        }
        CHECK_MESSAGE(stats.max_in_flight <= workers,
                      "the stand-in had "
                          << stats.max_in_flight << " requests at once with " << workers
                          << " workers: one thread per repository instead of `workers` threads?");
        CHECK_MESSAGE(stats.max_in_flight == workers,
                      "the stand-in had at most "
                          << stats.max_in_flight << " requests at once with " << workers
                          << " workers: are all the workers started before any is joined, and "
                             "does each fetch outside the queue's lock?");
    }
}

TEST_CASE("02.2 fetch_all reports a failure and keeps the other results") {
    TestStandIn s(quick({{"redis/redis", Fault::server_error}, {"fmtlib/fmt", Fault::reset}}));
    const std::vector<std::string> names = {"nodejs/llhttp", "redis/redis", "fmtlib/fmt",
                                            "libuv/libuv"};
    const auto results = chapter02::fetch_all(s.api, names, 3, 5s);
    REQUIRE(results.size() == 4);
    CHECK(results[0].ok());
    CHECK_FALSE(results[1].ok());
    CHECK(mentions(results[1].error, "redis/redis"));
    CHECK(mentions(results[1].error, "500"));
    CHECK_FALSE(results[2].ok());
    CHECK(mentions(results[2].error, "fmtlib/fmt"));
    CHECK(results[3].ok());
}
