// Chapter 15: testing coroutines.
//
// The idea: a test of asynchronous code needs three things a plain test
// does not. An event loop to run the coroutine on, and a deadline, so that
// code that hangs fails the test instead of hanging it (run() in
// testing.hpp: pytest-asyncio's job). Fakes for what the code waits on, so
// the test decides what happens (FakeFetch plays the server). And time that
// the test moves, so a 30 s timeout is tested in milliseconds (FakeTime):
// which is possible only because the code takes its clock as a parameter.
// Then the question every test suite should answer: would it notice a
// mistake? The demo runs your tests against fetch_all with one mistake each.
//
// Python (the talk):  @pytest.mark.asyncio async def test_get_repo_info(): ...
// C++ (here):         TEST_CASE(...) { auto info = run(get_repo_info(...)); CHECK(...); }
//
// Run it: ./workbook run 15
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/this_coro.hpp>
#include <cstdio>
#include <iostream>

#include "exercise.hpp"
#include "verdict.hpp"
#include "workbook/github_async.hpp"
#include "workbook/report.hpp"
#include "workbook/stand_in.hpp"
#include "workbook/step.hpp"

namespace {

using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

void say(const char* what, bool ok) {
    std::printf("    %-44s %s\n", what, ok ? "ok" : "FAILED");
}

// The talk's test, as the workbook's own tests do it: a stand-in started in
// this process on a free port (port 0) for this test alone, the coroutine
// run to its end by run(), then plain assertions.
bool the_talks_test() {
    workbook::StandInOptions options;
    options.latency = 20ms;
    workbook::StandIn stand_in(options);
    workbook::ApiConfig api;
    api.port = stand_in.listen_http("127.0.0.1", 0);
    stand_in.start();
    workbook::step("coroutine_test");
    // [slide:coroutine_test]
    // @pytest.mark.asyncio
    // async def test_get_repo_info(): info = await get_repo_info(REPOS[0]) ...
    const workbook::RepoInfo info = chapter15::run([&]() -> asio::awaitable<workbook::RepoInfo> {
        auto client = workbook::github_client(co_await asio::this_coro::executor, api);
        co_return co_await workbook::fetch_repo_async(client, api, "aio-libs/aiohttp");
    }());
    say("info.name is set", !info.name.empty());
    say("info.full_name is aio-libs/aiohttp", info.full_name == "aio-libs/aiohttp");
    say("info.stargazers_count is above 0", info.stargazers_count > 0);
    // [/slide]
    return !info.name.empty() && info.full_name == "aio-libs/aiohttp" && info.stargazers_count > 0;
}

// A 30 s timeout, tested without waiting 30 s.
bool a_timeout_in_no_time() {
    const auto start = std::chrono::steady_clock::now();
    workbook::step("fake_time");
    // [slide:fake_time]
    chapter15::FakeFetch fetches;
    chapter15::FakeTime time;
    fetches.hang("a/hangs");  // never answers
    const std::vector<std::string> names = {"a/hangs"};
    const auto results = chapter15::run([&]() -> asio::awaitable<std::vector<chapter15::Result>> {
        // fetch_all and the test's clock, side by side: advance() lets
        // fetch_all reach its sleep, then moves time 30 s on.
        co_return co_await (
            chapter15::fetch_all(names, fetches.fetcher(), 1, 30s, time.sleeper()) &&
            time.advance(30s));
    }());
    // [/slide]
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const bool ok = results.size() == 1 && results[0].error == "timed out after 30000 ms";
    std::printf("    a/hangs: \"%s\", after %.0f s of fake time and %.1f ms of real time\n",
                results.empty() ? "" : results[0].error.c_str(),
                static_cast<double>(time.now().count()) / 1000.0, ms);
    return ok;
}

// Your four tests, each against the correct fetch_all and the broken ones it
// is there to catch (the same judge as ./workbook check 15).
int your_tests_against_the_broken_ones() {
    struct Pairing {
        const char* test;
        const char* broken;
    };
    const Pairing pairings[] = {
        {"15.1", "wrong_order"}, {"15.2", "one_too_many"}, {"15.2", "one_at_a_time"},
        {"15.3", "lost_error"},  {"15.4", "no_timeout"},
    };
    const std::string prefix = WORKBOOK_CH15_PROGRAMS;
    int missed = 0;
    std::printf("    %-6s %-16s %-15s %s\n", "test", "on correct", "on broken", "");
    for (const auto& p : pairings) {
        const auto on_correct = chapter15::judge(prefix, "correct", std::string(p.test) + " *",
                                                 std::chrono::seconds(20));
        std::string line;
        if (on_correct.outcome != chapter15::Verdict::Outcome::passed) {
            line = "-";
            ++missed;
        } else {
            const auto on_broken = chapter15::judge(prefix, p.broken, std::string(p.test) + " *",
                                                    std::chrono::seconds(20));
            const bool caught = on_broken.outcome == chapter15::Verdict::Outcome::failed;
            line = chapter15::describe(on_broken.outcome) + (caught ? ": caught" : ": MISSED");
            if (!caught) ++missed;
        }
        std::string mistake;
        for (const auto& i : chapter15::implementations())
            if (i.name == p.broken) mistake = i.mistake;
        std::printf("    %-6s %-16s %-15s %s (%s)\n", p.test,
                    chapter15::describe(on_correct.outcome).c_str(), p.broken, line.c_str(),
                    mistake.c_str());
    }
    return missed;
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        std::printf("The talk's test: a coroutine run to its end, against a stand-in of its own\n");
        const bool talk = the_talks_test();

        std::printf("\nA 30 s timeout, tested on a clock the test moves\n");
        const bool timeout = a_timeout_in_no_time();

        std::printf("\nYour tests (exercise.cpp) against fetch_all with one mistake each\n");
        const int missed = your_tests_against_the_broken_ones();
        if (missed == 0) {
            std::printf("\nEvery mistake caught: your tests would notice each of them.\n");
        } else {
            std::printf(
                "\n%d mistake(s) not caught yet: ./workbook check 15 says which test to write "
                "or tighten.\n",
                missed);
        }
        return talk && timeout ? 0 : 1;
    });
}
