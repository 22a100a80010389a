// Chapter 01 specification: what fetch_repo (01.1) and fetch_all (01.2) must
// do. Each test talks to a real stand-in on a free port of this machine and
// asks it afterwards what it saw. Read it; do not edit it.
#include "support/doctest.hpp"

#include "exercise.hpp"
#include "support/results.hpp"
#include "support/scripted_server.hpp"
#include "support/test_stand_in.hpp"
#include "support/watchdog.hpp"
#include "workbook/blocking_client.hpp"

using namespace std::chrono_literals;
using workbook::Fault;
using workbook::testing::check_all_ok_in_order;
using workbook::testing::mentions;
using workbook::testing::quick;
using workbook::testing::TestStandIn;

TEST_CASE("01.1 fetch_repo returns the repository's name and full name and stars") {
    TestStandIn s;
    auto client = workbook::make_blocking_client(s.api, 5s);
    const auto info = chapter01::fetch_repo(*client, s.api, "chriskohlhoff/asio");
    CHECK(info.name == "asio");
    CHECK(info.full_name == "chriskohlhoff/asio");
    CHECK(info.stargazers_count == 5012);
    CHECK(s.stats().requests == 1);
}

TEST_CASE("01.1 fetch_repo works over HTTPS with the certificate verified") {
    TestStandIn s(quick(), /*tls=*/true);
    auto client = workbook::make_blocking_client(s.api, 5s);
    CHECK(chapter01::fetch_repo(*client, s.api, "nlohmann/json").full_name == "nlohmann/json");
}

TEST_CASE("01.1 fetch_repo sends the token in a header and never in the URL") {
    auto options = quick();
    options.token = "s3cret-token";
    TestStandIn s(options);
    auto client = workbook::make_blocking_client(s.api, 5s);  // s.api carries the token
    CHECK(chapter01::fetch_repo(*client, s.api, "libuv/libuv").full_name == "libuv/libuv");
    const auto stats = s.stats();
    REQUIRE(stats.log.size() == 1);
    CHECK_FALSE(mentions(stats.log[0].path, "s3cret"));
}

TEST_CASE("01.1 fetch_repo reports an HTTP error with its status and the repository") {
    TestStandIn s(quick({{"redis/redis", Fault::rate_limited}}));
    auto client = workbook::make_blocking_client(s.api, 5s);
    try {
        chapter01::fetch_repo(*client, s.api, "nobody/nothing");
        FAIL("a 404 must throw");
    } catch (const workbook::FetchError& e) {
        CHECK(e.status() == 404);
        CHECK(mentions(e.what(), "nobody/nothing"));
    }
    try {
        chapter01::fetch_repo(*client, s.api, "redis/redis");
        FAIL("a rate limit must throw");
    } catch (const workbook::FetchError& e) {
        CHECK(e.status() == 403);
        CHECK(mentions(e.what(), "rate limit"));
    }
}

TEST_CASE("01.1 fetch_repo reports a malformed body as an error") {
    TestStandIn s(quick({{"fmtlib/fmt", Fault::malformed}}));
    auto client = workbook::make_blocking_client(s.api, 5s);
    CHECK_THROWS_WITH_AS(chapter01::fetch_repo(*client, s.api, "fmtlib/fmt"),
                         doctest::Contains("fmtlib/fmt: the response is not valid JSON"),
                         workbook::FetchError);
}

TEST_CASE("01.1 fetch_repo reports a server that is not there") {
    workbook::ApiConfig nowhere;
    {
        TestStandIn s;  // learn a free port, then close it
        nowhere = s.api;
    }
    auto client = workbook::make_blocking_client(nowhere, 2s);
    CHECK_THROWS_WITH_AS(chapter01::fetch_repo(*client, nowhere, "fmtlib/fmt"),
                         doctest::Contains("cannot reach"), workbook::FetchError);
}

TEST_CASE("01.2 fetch_all returns one result per repository in input order") {
    TestStandIn s;
    const auto& names = workbook::repositories();
    const auto results = chapter01::fetch_all(s.api, names);
    check_all_ok_in_order(results, names);
}

TEST_CASE("01.1 fetch_repo follows a renamed repository's redirect as requests.get does") {
    // GitHub answers 301 with the new address for a renamed repository;
    // requests.get follows it by default, and so must this client: with the
    // token, since it stays on the API's own origin.
    using workbook::testing::http_response;
    using workbook::testing::Reply;
    using workbook::testing::repo_json;
    using workbook::testing::ScriptedServer;
    using workbook::testing::SeenRequest;
    ScriptedServer server([](const SeenRequest& r) {
        if (r.target == "/repos/old/name")
            return Reply{http_response(301, "", "Location: /repos/new/name\r\n")};
        return Reply{http_response(200, repo_json(r.target.substr(7)))};
    });
    auto api = server.api();
    api.token = "s3cret";
    const auto client = workbook::make_blocking_client(api, 5s);
    workbook::RepoInfo info;
    try {
        info = chapter01::fetch_repo(*client, api, "old/name");
    } catch (const workbook::FetchError& e) {
        FAIL("the repository moved (301 to /repos/new/name) and fetch_repo gave up: "
             << std::string(e.what())
             << ". client.Get() does not follow redirects; workbook::get_blocking does, as "
                "requests.get does");
    }
    CHECK(info.full_name == "new/name");
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].target == "/repos/new/name");
    CHECK_MESSAGE(requests[1].header("Authorization") == "token s3cret",
                  "the same origin: the token goes along");
}

TEST_CASE("01.2 fetch_all asks for one repository at a time") {
    TestStandIn s;
    const std::vector<std::string> names = {"python/cpython",     "aio-libs/aiohttp",
                                            "twisted/twisted",    "gevent/gevent",
                                            "tornadoweb/tornado", "sanic-org/sanic"};
    chapter01::fetch_all(s.api, names);
    const auto stats = s.stats();
    CHECK_MESSAGE(stats.requests == static_cast<long long>(names.size()),
                  "the stand-in was asked " << stats.requests << " times for " << names.size()
                                            << " repositories: ask for each exactly once");
    CHECK_MESSAGE(stats.max_in_flight == 1,
                  "the stand-in had "
                      << stats.max_in_flight
                      << " requests at once: this chapter's loop asks for one "
                         "repository at a time, each after the last one's answer "
                         "(no threads, no async: that is what chapters 02 to 08 add)");
}

TEST_CASE("01.2 fetch_all keeps going after a repository fails") {
    TestStandIn s(quick({{"openssl/openssl", Fault::not_found},
                         {"libuv/libuv", Fault::truncated},
                         {"facebook/folly", Fault::server_error}}));
    const std::vector<std::string> names = {"nodejs/llhttp", "openssl/openssl", "libuv/libuv",
                                            "facebook/folly", "scylladb/seastar"};
    const auto results = chapter01::fetch_all(s.api, names, 5s);
    REQUIRE(results.size() == names.size());
    CHECK(results[0].ok());
    CHECK_FALSE(results[1].ok());
    CHECK(mentions(results[1].error, "404"));
    CHECK_FALSE(results[2].ok());
    CHECK(mentions(results[2].error, "libuv/libuv"));
    CHECK_FALSE(results[3].ok());
    CHECK(mentions(results[3].error, "500"));
    REQUIRE(results[4].ok());
    CHECK(results[4].info->full_name == "scylladb/seastar");
}

TEST_CASE("01.2 fetch_all gives up on a hung server after the timeout") {
    // The client's own default is 10 s: a fetch_all that ignores `timeout`
    // waits that long, and the watchdog says so after 5.
    workbook::testing::if_it_hangs(
        "fetch_all waited far longer than its 300 ms timeout for a server that never answers: "
        "make its client with make_blocking_client(api, timeout)",
        std::chrono::seconds(5));
    TestStandIn s(quick({{"gevent/gevent", Fault::hang}}));
    const std::vector<std::string> names = {"gevent/gevent", "fmtlib/fmt"};
    const auto results = chapter01::fetch_all(s.api, names, 300ms);
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0].ok());
    CHECK(mentions(results[0].error, "gevent/gevent"));
    CHECK(results[1].ok());  // the next one still gets its answer
}
