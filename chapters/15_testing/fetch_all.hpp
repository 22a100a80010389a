// Chapter 15: the code under test. fetch_all is chapter 08's batch made
// testable: everything it waits on comes in as a parameter, so a test can
// play the server (Fetch) and the clock (Sleep).
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chapter15 {

struct Repo {
    std::string full_name;
    int stars = 0;
};

// One name's outcome: a repository, or what went wrong, never both.
struct Result {
    std::string name;
    std::optional<Repo> repo;
    std::string error;  // empty when repo is set
};

// Fetches one repository; throws what went wrong.
using Fetch = std::function<asio::awaitable<Repo>(std::string name)>;

// Waits `duration`. Production passes a real timer (asio_sleep); a test
// passes FakeTime's, which waits until the test moves time on.
using Sleep = std::function<asio::awaitable<void>(std::chrono::milliseconds duration)>;

// The real clock: an asio::steady_timer.
asio::awaitable<void> asio_sleep(std::chrono::milliseconds duration);

// What fetch_all promises (what your tests check):
//   - one Result per name, in the order of `names`, whatever order they end in;
//   - at most `limit` fetches at once, and `limit` at once while there are
//     that many left (concurrent, not one after the other);
//   - a fetch that throws gives its own Result an error (its what()), and
//     the other names are fetched as usual;
//   - a fetch that has not ended after `timeout` (as `sleep` counts it) is
//     cancelled, and its Result's error says "timed out after N ms".
// Throws std::invalid_argument for a limit of 0.
asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep);

}  // namespace chapter15
