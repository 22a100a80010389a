// Where the tests find the private servers the `services` fixture started:
// shared/scripts/services.sh writes their addresses (or the user's own
// REDIS_URL, MEMCACHED_ADDR, DATABASE_URL) to services.env in the fixture's
// folder, WORKBOOK_SERVICES_DIR.
#pragma once

#include "support/doctest.hpp"

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <functional>
#include <random>
#include <string>

#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "workbook/services.hpp"
#include "workbook/transport_error.hpp"

namespace workbook::testing {

// The address in `variable`, or a failed test that says how to start them.
inline std::string fixture_address(const std::string& variable) {
    const std::string env = std::string(WORKBOOK_SERVICES_DIR) + "/services.env";
    const std::string address = workbook::address_in_env_file(env, variable);
    if (address.empty()) {
        FAIL("no " << variable << " in " << env
                   << ": run these tests through ctest, whose services.start fixture starts the "
                      "servers (ctest -R chapter11 does, and ./workbook check NN)");
    }
    return address;
}

// A loopback port nobody listens on (it was free a moment ago): where a
// client meets a server that is not there.
inline unsigned short port_nobody_listens_on() {
    asio::io_context probe;
    asio::ip::tcp::acceptor closed(probe, {asio::ip::make_address("127.0.0.1"), 0});
    return closed.local_endpoint().port();
}

// A store's client pointed where nothing listens: `connect` (which makes the
// client and connects it) must fail with a TransportError (Failure::connect)
// that names `server` ("redis at 127.0.0.1:4321") and says what to type.
inline void check_nobody_listens(const std::function<asio::awaitable<int>()>& connect,
                                 const std::string& server) {
    try {
        run_loop(connect());
        FAIL("connect to " << server << ", where nobody listens, succeeded");
    } catch (const workbook::TransportError& e) {
        CHECK(e.failure() == workbook::Failure::connect);
        CHECK(mentions(e.what(), server));
        CHECK(mentions(e.what(), "./workbook services start"));
    }
}

// Keys of this run alone: the server may be the user's own, and keys outlive
// the test.
inline std::string unique_key(const std::string& prefix) {
    static std::mt19937_64 random{std::random_device{}()};
    return prefix + ":" + std::to_string(random() % 1'000'000'000);
}

}  // namespace workbook::testing
