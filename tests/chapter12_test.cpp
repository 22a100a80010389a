// Chapter 12 specification: cache-aside (12.1) and one lookup per
// repository at a time (12.2), with the real memcached the `services`
// fixture starts and the GitHub stand-in in this process. Whether the cache
// worked is what the stand-in saw: how many requests reached it. Read it;
// do not edit it.
#include "support/doctest.hpp"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "support/test_stand_in.hpp"
#include "workbook/github_async.hpp"
#include "workbook/task_group.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using workbook::Fault;
using workbook::RepoInfo;
using workbook::testing::mentions;
using workbook::testing::quick;
using workbook::testing::run_loop;
using workbook::testing::TestStandIn;

namespace {

std::pair<std::string, unsigned short> memcached_address() {
    return workbook::memcached::parse_address(workbook::testing::fixture_address("MEMCACHED_ADDR"));
}

// A repository no earlier test (or run) has cached: the stand-in makes up
// workbook-bench/repo-N for any N.
std::string fresh_repo() {
    static std::mt19937_64 random{std::random_device{}()};
    return "workbook-bench/repo-" + std::to_string(1 + random() % 999'999'999);
}

// Runs body(cache, github) with a memcached client (connected unless
// `cache_down`, then pointed at a port nobody listens on) and a GitHub
// client for the stand-in.
template <class T>
T with_clients(
    const TestStandIn& s,
    std::function<asio::awaitable<T>(workbook::memcached::Client&, workbook::http::Client&)> body,
    const std::string& if_it_hangs, bool cache_down = false) {
    auto [host, port] = memcached_address();
    if (cache_down) {
        host = "127.0.0.1";
        port = workbook::testing::port_nobody_listens_on();
    }
    return run_loop(
        [&]() -> asio::awaitable<T> {
            const auto executor = co_await asio::this_coro::executor;
            workbook::memcached::Client cache(executor, host, port);
            if (!cache_down) co_await cache.connect();
            auto github = workbook::github_client(executor, s.api);
            co_return co_await body(cache, github);
        }(),
        10s, if_it_hangs);
}

// What memcached itself holds at `key`, read on a connection of the test's
// own with a meta command: its value and how many seconds it has left
// (-1: no time to live), or nullopt.
struct Held {
    std::string value;
    long long ttl;
};
std::optional<Held> held_by_memcached(const std::string& key) {
    const auto [host, port] = memcached_address();
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address(host), port});
    asio::write(socket, asio::buffer("mg " + key + " v t\r\n"));
    std::string in;
    // "VA <size> t<ttl>\r\n<value>\r\n", or "EN\r\n" for a miss.
    asio::read_until(socket, asio::dynamic_buffer(in), "\r\n");
    if (in.rfind("EN", 0) == 0) return std::nullopt;
    const auto size = std::stoul(in.substr(3));
    const auto t = in.find(" t");
    const long long ttl = std::stoll(in.substr(t + 2));
    const auto head = in.find("\r\n") + 2;
    while (in.size() < head + size + 2) asio::read_until(socket, asio::dynamic_buffer(in), "\r\n");
    return Held{in.substr(head, size), ttl};
}

void store_in_memcached(const std::string& key, const std::string& value) {
    const auto [host, port] = memcached_address();
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address(host), port});
    asio::write(socket, asio::buffer("set " + key + " 0 0 " + std::to_string(value.size()) +
                                     "\r\n" + value + "\r\n"));
    std::string in;
    asio::read_until(socket, asio::dynamic_buffer(in), "\r\n");
    REQUIRE(in == "STORED\r\n");
}

const char* const lookup_hangs =
    "the lookup never returned: does every path end in a co_return or a throw?";
const char* const flight_hangs =
    "RepoCache::get never returned: a waiter waits on its Flight's `done` until the lookup "
    "cancels it; does the lookup always cancel it, also when cached_repo throws? And is the Flight "
    "out of flights_ when it ends (a later call must not wait on a timer nobody cancels again)?";

}  // namespace

TEST_CASE("12.1 the first lookup asks the API - the next ones come from memcached") {
    TestStandIn s;
    const auto name = fresh_repo();
    const auto found = with_clients<std::vector<RepoInfo>>(
        s,
        [&](auto& cache, auto& github) -> asio::awaitable<std::vector<RepoInfo>> {
            std::vector<RepoInfo> out;
            for (int i = 0; i < 5; ++i)
                out.push_back(co_await chapter12::cached_repo(cache, github, s.api, name, 300s));
            co_return out;
        },
        lookup_hangs);
    REQUIRE(found.size() == 5);
    CHECK(found[0].full_name == name);
    for (const auto& info : found) CHECK(info == found[0]);
    CHECK_MESSAGE(s.stats().requests == 1,
                  "the stand-in saw " << s.stats().requests
                                      << " requests for 5 lookups of one repository: the first "
                                         "is a miss and asks the API, then stores the answer "
                                         "(cache.set) so the next four are hits");
    const auto held = held_by_memcached(chapter12::cache_key(name));
    REQUIRE_MESSAGE(held.has_value(), "memcached holds nothing at " << chapter12::cache_key(name));
    CHECK(workbook::parse_repo_info(held->value) == found[0]);
}

TEST_CASE("12.1 what is stored lives for the ttl given") {
    TestStandIn s;
    const auto name = fresh_repo();
    with_clients<RepoInfo>(
        s,
        [&](auto& cache, auto& github) {
            return chapter12::cached_repo(cache, github, s.api, name, 300s);
        },
        lookup_hangs);
    const auto held = held_by_memcached(chapter12::cache_key(name));
    REQUIRE(held.has_value());
    CHECK_MESSAGE(held->ttl != -1,
                  "the entry never expires (no time to live): pass `ttl` to "
                  "cache.set, or a renamed repository stays wrong forever");
    CHECK_MESSAGE((held->ttl > 290 && held->ttl <= 300),
                  "the entry has " << held->ttl << " s left, for a ttl of 300 s");
}

TEST_CASE("12.1 a repository the API does not have is an error and nothing is stored") {
    TestStandIn s(quick({{"workbook/gone", Fault::not_found}}));
    std::string error;
    try {
        with_clients<RepoInfo>(
            s,
            [&](auto& cache, auto& github) {
                return chapter12::cached_repo(cache, github, s.api, "workbook/gone", 300s);
            },
            lookup_hangs);
    } catch (const workbook::FetchError& e) {
        error = e.what();
    }
    CHECK_MESSAGE(mentions(error, "404"), "the API's 404 is thrown as it is");
    CHECK_FALSE_MESSAGE(held_by_memcached(chapter12::cache_key("workbook/gone")).has_value(),
                        "nothing is stored for a failure");
}

TEST_CASE("12.1 a memcached that is down makes lookups slower but never fails them") {
    TestStandIn s;
    const auto name = fresh_repo();
    std::vector<RepoInfo> found;
    try {
        found = with_clients<std::vector<RepoInfo>>(
            s,
            [&](auto& cache, auto& github) -> asio::awaitable<std::vector<RepoInfo>> {
                std::vector<RepoInfo> out;
                for (int i = 0; i < 2; ++i)
                    out.push_back(
                        co_await chapter12::cached_repo(cache, github, s.api, name, 300s));
                co_return out;
            },
            lookup_hangs, true);
    } catch (const workbook::TransportError& e) {
        FAIL("the lookup failed because memcached is down (" << std::string(e.what())
                                                             << "): a cache is a shortcut, not "
                                                                "the truth; go to the API");
    }
    REQUIRE(found.size() == 2);
    CHECK(found[0].full_name == name);
    CHECK(s.stats().requests == 2);
}

TEST_CASE("12.1 a cached value that is not a repository's JSON is replaced") {
    TestStandIn s;
    const auto name = fresh_repo();
    store_in_memcached(chapter12::cache_key(name), "<html>not json</html>");
    RepoInfo info;
    try {
        info = with_clients<RepoInfo>(
            s,
            [&](auto& cache, auto& github) {
                return chapter12::cached_repo(cache, github, s.api, name, 300s);
            },
            lookup_hangs);
    } catch (const workbook::ParseError& e) {
        FAIL("a broken cache entry failed the lookup (" << std::string(e.what())
                                                        << "): treat it as a miss");
    }
    CHECK(info.full_name == name);
    const auto held = held_by_memcached(chapter12::cache_key(name));
    REQUIRE(held.has_value());
    CHECK_MESSAGE(held->value != "<html>not json</html>", "the broken entry is still there");
}

TEST_CASE("12.2 ten lookups of one repository at once send one request") {
    TestStandIn s(quick({}, 50ms));
    const auto name = fresh_repo();
    struct Seen {
        std::vector<RepoInfo> found;
        std::size_t flights_after;
    };
    const auto seen = with_clients<Seen>(
        s,
        [&](auto& cache, auto& github) -> asio::awaitable<Seen> {
            chapter12::RepoCache repos(cache, github, s.api, 300s);
            std::vector<std::function<asio::awaitable<RepoInfo>()>> lookups;
            for (int i = 0; i < 10; ++i) lookups.push_back([&] { return repos.get(name); });
            auto found = co_await workbook::task_group(std::move(lookups));
            co_return Seen{std::move(found), repos.flights()};
        },
        flight_hangs);
    REQUIRE(seen.found.size() == 10);
    for (const auto& info : seen.found) CHECK(info.full_name == name);
    CHECK_MESSAGE(s.stats().requests == 1,
                  "the stand-in saw " << s.stats().requests
                                      << " requests for one repository asked for 10 times at "
                                         "once: each lookup missed the cache before the first "
                                         "had stored its answer (a cache stampede). The first "
                                         "lookup fetches; the others wait for its Flight");
    CHECK_MESSAGE(seen.flights_after == 0, "a finished lookup stays in flights_: take it out");
}

TEST_CASE("12.2 different repositories are looked up side by side") {
    TestStandIn s(quick({}, 100ms));
    const std::vector<std::string> names{fresh_repo(), fresh_repo(), fresh_repo()};
    with_clients<int>(
        s,
        [&](auto& cache, auto& github) -> asio::awaitable<int> {
            chapter12::RepoCache repos(cache, github, s.api, 300s);
            std::vector<std::function<asio::awaitable<RepoInfo>()>> lookups;
            for (int i = 0; i < 9; ++i)
                lookups.push_back([&, i] { return repos.get(names[i % 3]); });
            co_await workbook::task_group(std::move(lookups));
            co_return 0;
        },
        flight_hangs);
    const auto stats = s.stats();
    CHECK_MESSAGE(stats.requests == 3, "the stand-in saw " << stats.requests
                                                           << " requests for 3 repositories, each "
                                                              "asked for 3 times at once");
    CHECK_MESSAGE(stats.max_in_flight == 3,
                  "the stand-in had at most " << stats.max_in_flight
                                              << " requests at once, for 3 repositories looked up "
                                                 "at the same time: one lookup at a time *per "
                                                 "repository*, the three side by side, never one "
                                                 "for the whole cache");
}

TEST_CASE("12.2 everyone waiting gets the failure - and the next call tries again") {
    const auto name = fresh_repo();
    TestStandIn s(quick({{name, Fault::server_error}}, 50ms));
    struct Seen {
        int failed = 0;
        bool failed_again = false;
    };
    const auto seen = with_clients<Seen>(
        s,
        [&](auto& cache, auto& github) -> asio::awaitable<Seen> {
            chapter12::RepoCache repos(cache, github, s.api, 300s);
            std::vector<std::function<asio::awaitable<int>()>> lookups;
            for (int i = 0; i < 5; ++i) {
                lookups.push_back([&]() -> asio::awaitable<int> {
                    try {
                        co_await repos.get(name);
                    } catch (const workbook::FetchError&) {
                        co_return 1;
                    }
                    co_return 0;
                });
            }
            Seen out;
            for (const int f : co_await workbook::task_group(std::move(lookups))) out.failed += f;
            try {
                co_await repos.get(name);
            } catch (const workbook::FetchError&) {
                out.failed_again = true;
            }
            co_return out;
        },
        flight_hangs);
    CHECK_MESSAGE(seen.failed == 5, seen.failed << " of the 5 callers got the API's 500: every "
                                                   "waiter gets the lookup's exception");
    CHECK(seen.failed_again);
    CHECK_MESSAGE(s.stats().requests == 2,
                  "the stand-in saw " << s.stats().requests
                                      << " requests: one for the 5 callers at once, one more for "
                                         "the call after (a failure is not kept)");
}
