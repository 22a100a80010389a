// Chapter 02 specification: JobQueue (02.1) is safe for many threads at once,
// and fetch_all (02.2) keeps exactly `workers` requests in flight, as the
// stand-in counts them. Read it; do not edit it.
#include <doctest/doctest.h>

#include <atomic>
#include <exception>
#include <list>
#include <thread>

#include "exercise.hpp"
#include "support/results.hpp"
#include "support/stand_in.hpp"

using namespace std::chrono_literals;
using chapter02::Job;
using chapter02::JobQueue;
using workbook::testing::check_all_ok_in_order;
using workbook::Fault;
using workbook::testing::quick;
using workbook::testing::StandIn;

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

}  // namespace

TEST_CASE("02.1 jobs come out in the order they went in and then pop says none") {
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
    JobQueue queue;
    std::optional<Job> got;
    TestThread waiter([&] { got = queue.pop(); });  // the queue is empty and open: it must wait
    std::this_thread::sleep_for(50ms);
    queue.push({7, "late/job"});
    waiter.join();
    REQUIRE(got);  // a pop that gave up on an empty, open queue would return none
    CHECK(got->index == 7);
}

TEST_CASE("02.1 close wakes every thread waiting in pop") {
    JobQueue queue;
    std::atomic<int> told_to_stop{0};
    std::list<TestThread> waiters;
    for (int i = 0; i < 4; ++i) {
        waiters.emplace_back([&] {
            if (!queue.pop()) ++told_to_stop;
        });
    }
    std::this_thread::sleep_for(50ms);
    queue.close();
    for (auto& t : waiters) t.join();  // a close that wakes only one hangs here (and times out)
    CHECK(told_to_stop == 4);
}

TEST_CASE("02.1 many threads pushing and popping at once see every job exactly once") {
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
            for (int i = 0; i < each; ++i) queue.push({static_cast<std::size_t>(p * each + i), "x/y"});
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
    CHECK(lost == 0);
    CHECK(doubled == 0);
}

TEST_CASE("02.2 fetch_all returns every repository once and in input order") {
    StandIn s;
    const auto& names = workbook::repositories();
    const auto results = chapter02::fetch_all(s.api, names, 5);
    check_all_ok_in_order(results, names);
    CHECK(s.server.stats().requests == static_cast<long long>(names.size()));
}

TEST_CASE("02.2 fetch_all keeps exactly as many requests in flight as it has workers") {
    // 100 ms each: long enough for every worker to have its request in
    // flight before the first answer comes back.
    StandIn s(quick({}, 100ms));
    const auto names = workbook::testing::bench_names(12);
    for (int workers : {1, 4}) {
        CAPTURE(workers);
        s.server.reset_stats();
        const auto results = chapter02::fetch_all(s.api, names, workers);
        CHECK(results.size() == names.size());
        const auto stats = s.server.stats();
        CHECK(stats.requests == 12);             // each repository exactly once
        CHECK(stats.max_in_flight == workers);   // not one at a time, not all at once
    }
}

TEST_CASE("02.2 fetch_all reports a failure and keeps the other results") {
    StandIn s(quick({{"redis/redis", Fault::server_error}, {"fmtlib/fmt", Fault::reset}}));
    const std::vector<std::string> names = {"nodejs/llhttp", "redis/redis", "fmtlib/fmt", "libuv/libuv"};
    const auto results = chapter02::fetch_all(s.api, names, 3, 5s);
    REQUIRE(results.size() == 4);
    CHECK(results[0].ok());
    CHECK_FALSE(results[1].ok());
    CHECK(results[1].error.find("redis/redis: 500") != std::string::npos);
    CHECK_FALSE(results[2].ok());
    CHECK(results[2].error.find("fmtlib/fmt") != std::string::npos);
    CHECK(results[3].ok());
}
