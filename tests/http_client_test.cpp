// The workbook's asynchronous HTTP client, against the stand-in (and, for
// chunked bodies, a few bytes written by hand). Each test runs its own event
// loop on the test thread with a deadline, so a hang fails instead of hanging.
#include "support/doctest.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>
#include <thread>

#include "support/run_client.hpp"
#include "support/test_stand_in.hpp"
#include "workbook/github_async.hpp"

using namespace std::chrono_literals;
using workbook::Fault;
using workbook::http::Client;
using workbook::http::ClientOptions;
using workbook::http::ClientResponse;
using workbook::testing::quick;
using workbook::testing::run_client;
using workbook::testing::TestStandIn;

TEST_CASE("the async client fetches a repository over HTTP with the token in a header") {
    auto options = quick();
    options.token = "s3cret";
    TestStandIn s(options);
    const auto info = run_client<workbook::RepoInfo>(s.api, [&](Client& c) {
        return workbook::fetch_repo_async(c, s.api, "chriskohlhoff/asio");
    });
    CHECK(info.full_name == "chriskohlhoff/asio");
    CHECK(s.stats().log.at(0).path == "/repos/chriskohlhoff/asio");
}

TEST_CASE("the async client speaks HTTPS and verifies the certificate and the host name") {
    TestStandIn s(quick(), /*tls=*/true);
    const auto info = run_client<workbook::RepoInfo>(
        s.api, [&](Client& c) { return workbook::fetch_repo_async(c, s.api, "nlohmann/json"); });
    CHECK(info.name == "json");
}

TEST_CASE("the async client refuses a certificate it cannot verify") {
    TestStandIn s(quick(), /*tls=*/true);
    auto api = s.api;
    api.ca_file.clear();  // the system's CAs do not know the workbook's CA
    CHECK_THROWS_WITH_AS(
        run_client<workbook::RepoInfo>(
            api, [&](Client& c) { return workbook::fetch_repo_async(c, api, "nlohmann/json"); }),
        doctest::Contains("certificate"), workbook::FetchError);
    CHECK(s.stats().requests == 0);
}

TEST_CASE("the async client reuses one keep-alive connection for requests in turn") {
    TestStandIn s;
    std::size_t opened = 0;
    run_client<int>(s.api, [&](Client& c) -> asio::awaitable<int> {
        for (int i = 0; i < 5; ++i) co_await workbook::fetch_repo_async(c, s.api, "fmtlib/fmt");
        opened = c.connections_opened();
        co_return 0;
    });
    CHECK(opened == 1);
    CHECK(s.stats().requests == 5);
}

TEST_CASE("the async client retries once when the server has closed an idle connection") {
    auto options = quick();
    options.idle_timeout = 100ms;  // the stand-in closes idle keep-alive connections quickly
    TestStandIn s(options);
    std::size_t opened = 0;
    const auto info = run_client<workbook::RepoInfo>(
        s.api, [&](Client& c) -> asio::awaitable<workbook::RepoInfo> {
            co_await workbook::fetch_repo_async(c, s.api, "fmtlib/fmt");
            asio::steady_timer pause(co_await asio::this_coro::executor, 400ms);
            co_await pause.async_wait(
                asio::use_awaitable);  // meanwhile the server closes the idle connection
            auto second = co_await workbook::fetch_repo_async(c, s.api, "redis/redis");
            opened = c.connections_opened();
            co_return second;
        });
    CHECK(info.full_name == "redis/redis");
    CHECK(opened == 2);  // the stale connection was found out and replaced
    CHECK(s.stats().requests == 2);
}

TEST_CASE("the async client opens a new connection whenever none is idle") {
    ClientOptions options;
    SUBCASE("connects all at once") {
        options.max_connecting = 0;
    }
    // Opening connections in turns of three holds back no request for long:
    // a connect on loopback takes far less than the 200 ms each request waits.
    SUBCASE("connects in turns of three") {
        options.max_connecting = 3;
    }
    TestStandIn s(quick({}, 200ms));
    std::size_t opened = 0;
    run_client<int>(
        s.api,
        [&](Client& c) -> asio::awaitable<int> {
            auto executor = co_await asio::this_coro::executor;
            int left = 30;
            asio::steady_timer done(executor, asio::steady_timer::time_point::max());
            for (int i = 0; i < 30; ++i) {
                asio::co_spawn(executor,
                               workbook::fetch_repo_async(
                                   c, s.api, "workbook-bench/repo-" + std::to_string(i)),
                               [&](std::exception_ptr e, workbook::RepoInfo) {
                                   if (e) std::rethrow_exception(e);
                                   if (--left == 0) done.cancel();
                               });
            }
            co_await done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            opened = c.connections_opened();
            co_return 0;
        },
        options);
    CHECK(opened == 30);
    CHECK(s.stats().max_in_flight == 30);  // the pool never made one wait for another
}

TEST_CASE("the async client gives up on a hung response at the read timeout") {
    TestStandIn s(quick({{"gevent/gevent", Fault::hang}}));
    ClientOptions options;
    options.read_timeout = 300ms;
    try {
        run_client<ClientResponse>(
            s.api, [](Client& c) { return c.get("/repos/gevent/gevent"); }, options);
        FAIL("a hung response must time out");
    } catch (const workbook::http::TransportError& e) {
        CHECK(std::string(e.what()).find("timed out after 300 ms") != std::string::npos);
        CHECK(e.failure() == workbook::Failure::timeout);
    }
}

TEST_CASE("the async client reports a server that is not there") {
    workbook::ApiConfig nowhere;
    {
        TestStandIn s;
        nowhere = s.api;
    }
    CHECK_THROWS_WITH_AS(
        run_client<ClientResponse>(nowhere, [](Client& c) { return c.get("/repos/a/b"); }),
        doctest::Contains("refused"), workbook::http::TransportError);
}

TEST_CASE("the async client reports a body that stops halfway and a reset") {
    TestStandIn s(quick({{"libuv/libuv", Fault::truncated}, {"fmtlib/fmt", Fault::reset}}));
    for (const char* path : {"/repos/libuv/libuv", "/repos/fmtlib/fmt"}) {
        CAPTURE(path);
        CHECK_THROWS_WITH_AS(
            run_client<ClientResponse>(s.api, [&](Client& c) { return c.get(path); }),
            doctest::Contains("broke off after"), workbook::http::TransportError);
    }
}

TEST_CASE("the async client turns statuses and bad bodies into FetchErrors") {
    TestStandIn s(
        quick({{"redis/redis", Fault::rate_limited}, {"gevent/gevent", Fault::malformed}}));
    CHECK_THROWS_WITH_AS(
        run_client<workbook::RepoInfo>(
            s.api, [&](Client& c) { return workbook::fetch_repo_async(c, s.api, "redis/redis"); }),
        doctest::Contains("rate limit"), workbook::FetchError);
    CHECK_THROWS_WITH_AS(
        run_client<workbook::RepoInfo>(
            s.api,
            [&](Client& c) { return workbook::fetch_repo_async(c, s.api, "gevent/gevent"); }),
        doctest::Contains("not valid JSON"), workbook::FetchError);
    CHECK_THROWS_WITH_AS(
        run_client<workbook::RepoInfo>(
            s.api,
            [&](Client& c) { return workbook::fetch_repo_async(c, s.api, "nobody/nothing"); }),
        doctest::Contains("404"), workbook::FetchError);
}

TEST_CASE("the async client reads a chunked body") {
    // A one-shot server written by hand: the stand-in always sends Content-Length.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    std::thread server([listener] {
        const int c = ::accept(listener, nullptr, nullptr);
        char request[4096];
        (void)::recv(c, request, sizeof request, 0);
        const std::string response =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
            "5\r\nhello\r\n7\r\n, async\r\n0\r\n\r\n";
        (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
        ::close(c);
    });
    workbook::ApiConfig api;
    api.port = ntohs(addr.sin_port);
    const auto response =
        run_client<ClientResponse>(api, [](Client& c) { return c.get("/chunked"); });
    server.join();
    ::close(listener);
    CHECK(response.status == 200);
    CHECK(response.body == "hello, async");
    CHECK(response.header("content-type") == "text/plain");
}
