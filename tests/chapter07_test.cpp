// Chapter 07 specification: fetch_one (07.1) turns every outcome into a
// result, and fetch_all (07.2) has every request in flight at the same
// moment, as the stand-in counts them, on one thread. Read it; do not edit it.
#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <optional>

#include "exercise.hpp"
#include "support/results.hpp"
#include "support/run_loop.hpp"
#include "support/stand_in.hpp"
#include "workbook/http_client.hpp"

using namespace std::chrono_literals;
using workbook::testing::check_all_ok_in_order;
using workbook::testing::count_ok;
using workbook::Fault;
using workbook::testing::quick;
using workbook::testing::run_loop;
using workbook::testing::bench_names;
using workbook::testing::StandIn;

TEST_CASE("07.1 fetch_one returns the repository's info") {
    StandIn s;
    const auto result = run_loop([&]() -> asio::awaitable<workbook::FetchResult> {
        workbook::http::Client client(co_await asio::this_coro::executor, s.api);
        co_return co_await chapter07::fetch_one(client, s.api, "aio-libs/aiohttp");
    }());
    REQUIRE(result.ok());
    CHECK(result.full_name == "aio-libs/aiohttp");
    CHECK(result.info->stargazers_count == 15300);
}

TEST_CASE("07.1 fetch_one turns a failure into a result instead of throwing") {
    StandIn s(quick({{"aio-libs/aiohttp", Fault::server_error}}));
    const auto result = run_loop([&]() -> asio::awaitable<workbook::FetchResult> {
        workbook::http::Client client(co_await asio::this_coro::executor, s.api);
        co_return co_await chapter07::fetch_one(client, s.api, "aio-libs/aiohttp");
    }());
    CHECK_FALSE(result.ok());
    CHECK(result.full_name == "aio-libs/aiohttp");
    CHECK(result.error.find("aio-libs/aiohttp: 500") != std::string::npos);
}

TEST_CASE("07.2 fetch_all returns every repository once and in input order") {
    StandIn s;
    const auto& names = workbook::repositories();
    const auto results = run_loop(chapter07::fetch_all(s.api, names));
    check_all_ok_in_order(results, names);
    CHECK(s.server.stats().requests == static_cast<long long>(names.size()));
}

TEST_CASE("07.2 fetch_all has every request in flight at once") {
    StandIn s(quick({}, 300ms));
    const auto names = bench_names(60);
    const auto results = run_loop(chapter07::fetch_all(s.api, names));
    CHECK(results.size() == 60);
    const auto stats = s.server.stats();
    CHECK(stats.requests == 60);
    CHECK(stats.max_in_flight == 60);  // not a few at a time: all of them
}

TEST_CASE("07.2 fetch_all reports failures and keeps every other result") {
    StandIn s(quick({{"bad/one", Fault::not_found}, {"workbook-bench/repo-3", Fault::hang},
                     {"workbook-bench/repo-5", Fault::truncated}}));
    auto names = bench_names(8);
    names.insert(names.begin() + 2, "bad/one");
    const auto results = run_loop(chapter07::fetch_all(s.api, names, 500ms));
    REQUIRE(results.size() == names.size());
    CHECK(count_ok(results) == 6);
    CHECK(results[2].error.find("bad/one: 404") != std::string::npos);
    CHECK(results[4].error.find("workbook-bench/repo-3") != std::string::npos);  // hung, then timed out
    CHECK(results[4].error.find("in time") != std::string::npos);
}

TEST_CASE("07.2 fetch_all works over HTTPS") {
    StandIn s(quick(), /*tls=*/true);
    const auto results = run_loop(chapter07::fetch_all(s.api, bench_names(10)));
    for (const auto& r : results) CHECK(r.ok());
}
