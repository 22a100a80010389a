// Chapter 07 specification: fetch_one (07.1) turns every outcome into a
// result, and fetch_all (07.2) has every request in flight at the same
// moment, as the stand-in counts them, on one thread. Read it; do not edit it.
#include "support/doctest.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <functional>
#include <optional>

#include "exercise.hpp"
#include "support/results.hpp"
#include "support/run_loop.hpp"
#include "support/test_stand_in.hpp"
#include "support/watchdog.hpp"
#include "workbook/github_async.hpp"
#include "workbook/task_group.hpp"

using namespace std::chrono_literals;
using workbook::Fault;
using workbook::testing::bench_names;
using workbook::testing::check_all_ok_in_order;
using workbook::testing::count_ok;
using workbook::testing::if_it_hangs;
using workbook::testing::mentions;
using workbook::testing::quick;
using workbook::testing::run_loop;
using workbook::testing::TestStandIn;

namespace {
const std::string blocking_in_a_coroutine =
    "something blocks the loop's one thread inside a coroutine: a blocking client (cpp-httplib, "
    "fetch_repo_blocking), a future's get() or sleep_for. On the loop, every wait must be a co_await";
}  // namespace

TEST_CASE("07.1 fetch_one returns the repository's info") {
    TestStandIn s;
    const auto result = run_loop([&]() -> asio::awaitable<workbook::FetchResult> {
        auto client = workbook::github_client(co_await asio::this_coro::executor, s.api);
        co_return co_await chapter07::fetch_one(client, s.api, "aio-libs/aiohttp");
    }());
    REQUIRE(result.ok());
    CHECK(result.full_name == "aio-libs/aiohttp");
    CHECK(result.info->stargazers_count == 15300);
}

TEST_CASE("07.1 fetch_one turns a failure into a result instead of throwing") {
    TestStandIn s(quick({{"aio-libs/aiohttp", Fault::server_error}}));
    const auto result = run_loop([&]() -> asio::awaitable<workbook::FetchResult> {
        auto client = workbook::github_client(co_await asio::this_coro::executor, s.api);
        co_return co_await chapter07::fetch_one(client, s.api, "aio-libs/aiohttp");
    }());
    CHECK_FALSE(result.ok());
    CHECK(result.full_name == "aio-libs/aiohttp");
    CHECK(mentions(result.error, "aio-libs/aiohttp"));
    CHECK(mentions(result.error, "500"));
}

TEST_CASE("07.2 fetch_all returns every repository once and in input order") {
    if_it_hangs(blocking_in_a_coroutine, std::chrono::seconds(20));
    const auto& names = workbook::repositories();
    // The first repository answers slowest: the answers arrive in the
    // reverse order, and the results must still follow `names`.
    auto options = quick();
    workbook::testing::slowest_first(options, names, 10ms);
    TestStandIn s(options);
    const auto results = run_loop(chapter07::fetch_all(s.api, names));
    check_all_ok_in_order(results, names);
    CHECK(s.stats().requests == static_cast<long long>(names.size()));
}

TEST_CASE("07.2 fetch_all has every request in flight at once") {
    TestStandIn s(quick({}, 300ms));
    const auto names = bench_names(60);
    const auto results = run_loop(chapter07::fetch_all(s.api, names));
    CHECK(results.size() == 60);
    const auto stats = s.stats();
    CHECK(stats.requests == 60);
    CHECK_MESSAGE(stats.max_in_flight == 60,
                  "the stand-in had at most "
                      << stats.max_in_flight
                      << " of the 60 requests at once: each fetch was awaited before the "
                         "next one started (make all the tasks first, then start them all "
                         "at once with workbook::task_group, and only then wait), or "
                      << blocking_in_a_coroutine);
}

TEST_CASE("07.2 fetch_all leaves the loop free while it waits") {
    // A ticker on the same loop asks for a turn every 10 ms while 20
    // requests of 300 ms are on their way, and at each turn asks the
    // stand-in how many requests it holds. A loop that is never held gives
    // the ticker its turns while the requests wait at the stand-in; a
    // blocking call inside a coroutine holds the thread for a whole request,
    // so the ticker never runs while one is in flight. Judged by what the
    // stand-in held at each turn, not by a stopwatch.
    if_it_hangs(blocking_in_a_coroutine, std::chrono::seconds(20));
    TestStandIn s(quick({}, 300ms));
    int ticks_while_in_flight = 0;
    std::size_t most_seen = 0;
    bool fetching = true;
    run_loop(
        [&]() -> asio::awaitable<int> {
            std::vector<std::function<asio::awaitable<int>()>> both{
                [&]() -> asio::awaitable<int> {
                    // Let the ticker start first, so that it is waiting for its
                    // turn when fetch_all begins.
                    asio::steady_timer head_start(co_await asio::this_coro::executor, 30ms);
                    co_await head_start.async_wait(asio::use_awaitable);
                    co_await chapter07::fetch_all(s.api, bench_names(20));
                    fetching = false;
                    co_return 0;
                },
                [&]() -> asio::awaitable<int> {
                    asio::steady_timer tick(co_await asio::this_coro::executor);
                    while (fetching) {
                        tick.expires_after(10ms);
                        co_await tick.async_wait(asio::use_awaitable);
                        const auto held = static_cast<std::size_t>(s.stats().in_flight);
                        if (fetching && held > 0) ++ticks_while_in_flight;
                        most_seen = std::max(most_seen, held);
                    }
                    co_return 0;
                }};
            co_await workbook::task_group(std::move(both));
            co_return 0;
        }(),
        10s);
    CHECK_MESSAGE(ticks_while_in_flight >= 3,
                  "another coroutine on the loop had its turn only "
                      << ticks_while_in_flight
                      << " times while the stand-in held a request (it held at most " << most_seen
                      << " at those turns): " << blocking_in_a_coroutine);
}

TEST_CASE("07.2 fetch_all reports failures and keeps every other result") {
    TestStandIn s(quick({{"bad/one", Fault::not_found},
                         {"workbook-bench/repo-3", Fault::hang},
                         {"workbook-bench/repo-5", Fault::truncated}}));
    auto names = bench_names(8);
    names.insert(names.begin() + 2, "bad/one");
    const auto results = run_loop(chapter07::fetch_all(s.api, names, 500ms));
    REQUIRE(results.size() == names.size());
    CHECK(count_ok(results) == 6);
    CHECK(mentions(results[2].error, "bad/one"));
    CHECK(mentions(results[2].error, "404"));
    CHECK(mentions(results[4].error, "workbook-bench/repo-3"));  // hung, then timed out
    CHECK(mentions(results[4].error, "500 ms"));
}

TEST_CASE("07.2 fetch_all works over HTTPS") {
    TestStandIn s(quick(), /*tls=*/true);
    const auto results = run_loop(chapter07::fetch_all(s.api, bench_names(10)));
    for (const auto& r : results) CHECK(r.ok());
}
