// Chapter 15 reference: tests that pass on the correct fetch_all and catch
// every broken one.
#include <doctest/doctest.h>

#include <asio/experimental/awaitable_operators.hpp>

#include "exercise.hpp"

using namespace chapter15;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;  // a && b: two coroutines at once

TEST_CASE("15.1 fetch_all returns one result per name in the order of the names") {
    // The fetches end in the order b, c, a: a batch that returned them as
    // they ended would put b first.
    FakeFetch fetches;
    fetches.answer("a/slow", 1, 40ms);
    fetches.answer("b/fast", 2, 0ms);
    fetches.answer("c/middle", 3, 20ms);
    const auto results =
        run(fetch_all({"a/slow", "b/fast", "c/middle"}, fetches.fetcher(), 3, 5s, asio_sleep));
    REQUIRE(results.size() == 3);
    CHECK(results[0].name == "a/slow");
    CHECK(results[1].name == "b/fast");
    CHECK(results[2].name == "c/middle");
    REQUIRE(results[0].repo);
    CHECK(results[0].repo->stars == 1);
}

TEST_CASE("15.2 fetch_all keeps exactly limit fetches in flight") {
    // Ten names, a limit of three: never four at once (the limit holds),
    // and three at once at some point (the limit is used, not one by one).
    FakeFetch fetches;
    std::vector<std::string> names;
    for (int i = 0; i < 10; ++i) {
        names.push_back("repo/" + std::to_string(i));
        fetches.answer(names.back(), i, 10ms);
    }
    const auto results = run(fetch_all(names, fetches.fetcher(), 3, 5s, asio_sleep));
    CHECK(results.size() == 10);
    CHECK(fetches.requests() == 10);
    CHECK(fetches.max_in_flight() == 3);
}

TEST_CASE("15.3 a failed fetch keeps its error and the others still succeed") {
    FakeFetch fetches;
    fetches.answer("a/fine", 1);
    fetches.fail("b/broken", "500 Server Error");
    fetches.answer("c/fine", 3);
    const auto results =
        run(fetch_all({"a/fine", "b/broken", "c/fine"}, fetches.fetcher(), 3, 5s, asio_sleep));
    REQUIRE(results.size() == 3);
    CHECK(results[1].error == "500 Server Error");
    CHECK_FALSE(results[1].repo);
    CHECK(results[0].repo);
    CHECK(results[2].repo);
}

TEST_CASE("15.4 a fetch that hangs times out after the timeout without waiting for it") {
    // A 30 s timeout, on a clock that the test moves: the whole test takes
    // milliseconds. time.advance(30s) runs beside fetch_all (&&): it lets
    // fetch_all start and reach its sleeps, then moves time past them.
    FakeFetch fetches;
    FakeTime time;
    fetches.hang("a/hangs");
    fetches.answer("b/fine", 2);
    // (The names in a local: g++ 12 cannot take a braced list inside a co_await.)
    const std::vector<std::string> names = {"a/hangs", "b/fine"};
    const auto results = run([&]() -> asio::awaitable<std::vector<Result>> {
        co_return co_await (fetch_all(names, fetches.fetcher(), 2, 30s, time.sleeper()) &&
                            time.advance(30s));
    }());
    REQUIRE(results.size() == 2);
    CHECK(results[0].error == "timed out after 30000 ms");
    CHECK(results[1].repo);
}
