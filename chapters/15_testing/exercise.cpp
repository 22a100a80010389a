// Chapter 15 exercise: your tests. Make `./workbook check 15` green.
//
// Write each TEST_CASE below (TODO 15.1 to 15.4): arrange a FakeFetch,
// run fetch_all, and CHECK what it promised. exercise.hpp says which broken
// fetch_all each test must catch.
//
// Stuck? `./workbook hint 15.1` (or 15.2, 15.3, 15.4).
#include <doctest/doctest.h>

#include <asio/experimental/awaitable_operators.hpp>

#include "exercise.hpp"
#include "workbook/todo.hpp"

using namespace chapter15;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;  // a && b: two coroutines at once

TEST_CASE("15.1 fetch_all returns one result per name in the order of the names") {
    // TODO(15.1): fetches that end in another order than the names (give
    // them different delays), then CHECK the results' order.
    workbook::todo("15.1");
}

TEST_CASE("15.2 fetch_all keeps exactly limit fetches in flight") {
    // TODO(15.2): more names than the limit; FakeFetch counts the most
    // fetches in flight at once.
    workbook::todo("15.2");
}

TEST_CASE("15.3 a failed fetch keeps its error and the others still succeed") {
    // TODO(15.3): one name that fails (FakeFetch::fail) between two that
    // answer.
    workbook::todo("15.3");
}

TEST_CASE("15.4 a fetch that hangs times out after the timeout without waiting for it") {
    // TODO(15.4): a name that hangs, a 30 s timeout counted by a FakeTime,
    // and time.advance(30s) run beside fetch_all (operator&&).
    workbook::todo("15.4");
}
