// The real Redis the tests talk to: the private one the `services` fixture
// starts (shared/scripts/services.sh writes its address, or REDIS_URL's, to
// services.env), a client connected to it, and what Redis itself counted.
#pragma once

#include "support/doctest.hpp"

#include <asio/this_coro.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "workbook/redis.hpp"

namespace workbook::testing {

// Where the fixture's Redis is.
inline std::pair<std::string, unsigned short> redis_address() {
    return workbook::redis::parse_address(fixture_address("REDIS_URL"));
}

// Runs `body(client)` on a fresh loop with a client connected to the
// fixture's Redis, within `deadline`.
template <class T>
T with_redis(std::function<asio::awaitable<T>(workbook::redis::Client&)> body,
             std::chrono::milliseconds deadline = std::chrono::seconds(10),
             const std::string& if_it_hangs = "a command waits for a reply that never comes") {
    const auto [host, port] = redis_address();
    return run_loop(
        [&]() -> asio::awaitable<T> {
            workbook::redis::Client client(co_await asio::this_coro::executor, host, port);
            co_await client.connect();
            co_return co_await body(client);
        }(),
        deadline, if_it_hangs);
}

// What Redis itself counted: INFO's text, all sections, read on a
// connection of its own (`observer`). Tests that compare two readings take
// the CTest lock workbook_redis, so no other test's commands count meanwhile.
inline asio::awaitable<std::string> redis_info(workbook::redis::Client& observer) {
    std::vector<std::string> args{"INFO", "all"};
    co_return (co_await observer.command(std::move(args))).text;
}

// One figure of that text: "total_reads_processed", or a command's calls
// from its commandstats line ("cmdstat_get" gives the N of calls=N); 0 for
// a command that has not run yet (commandstats lists only those that ran).
inline long long info_field(const std::string& info, const std::string& field) {
    const std::string prefix = "\r\n" + field + ":";
    const auto at = info.find(prefix);
    if (at == std::string::npos) return 0;
    std::string value = info.substr(at + prefix.size());
    value = value.substr(0, value.find_first_of("\r,"));
    if (value.rfind("calls=", 0) == 0) value.erase(0, 6);
    return std::stoll(value);
}

}  // namespace workbook::testing
