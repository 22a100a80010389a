// Both HTTP clients (the blocking one on cpp-httplib, the asynchronous one on
// Asio) against servers that misbehave the way real ones do: a kept-alive
// connection closed without a word, a certificate for another host, a
// handshake that never ends, a body in gzip or in an encoding nobody asked
// for, a body past the cap, redirects, rate limits. Each server is written in
// the test (support/scripted_server.hpp) or is the stand-in, on a free
// loopback port. Each case checks both clients, and checks the Failure of the
// failure as a value, not only its words.
#include <zlib.h>
#include "support/doctest.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>

#include "support/run_client.hpp"
#include "support/run_loop.hpp"
#include "support/scripted_server.hpp"
#include "support/test_stand_in.hpp"
#include "workbook/blocking_client.hpp"
#include "workbook/github_async.hpp"
#include "workbook/paths.hpp"

using namespace std::chrono_literals;
using workbook::ApiConfig;
using workbook::Failure;
using workbook::FetchError;
using workbook::TransportError;
using workbook::testing::http_response;
using workbook::testing::Reply;
using workbook::testing::repo_json;
using workbook::testing::ScriptedServer;
using workbook::testing::SeenRequest;
using workbook::testing::TestStandIn;

namespace {

std::string contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos ? "yes" : "no, in: " + text;
}
#define CHECK_HAS(text, part) CHECK(contains((text), (part)) == "yes")
#define CHECK_HAS_NOT(text, part) CHECK((text).find(part) == std::string::npos)

// The asynchronous client's fetch, on a loop of its own, with a deadline that
// only catches a hang.
workbook::RepoInfo fetch_async(const ApiConfig& api, const std::string& name,
                               workbook::http::ClientOptions options = {}) {
    return workbook::testing::run_client<workbook::RepoInfo>(
        api,
        [&](workbook::http::Client& client) {
            return workbook::fetch_repo_async(client, api, name);
        },
        options);
}

workbook::RepoInfo fetch_blocking(const ApiConfig& api, const std::string& name,
                                  std::chrono::milliseconds timeout = 5s) {
    auto client = workbook::make_blocking_client(api, timeout);
    return workbook::fetch_repo_blocking(*client, api, name);
}

// The FetchError a fetch throws; FAILs if it throws none.
template <class Fetch>
FetchError error_of(Fetch fetch) {
    try {
        fetch();
    } catch (const FetchError& e) {
        return e;
    }
    FAIL("the fetch was expected to fail");
    return FetchError("");
}

std::string gzip(const std::string& text) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, text.size()) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// The CA file

TEST_CASE("clients: a CA file that cannot be read does not matter over plain HTTP") {
    TestStandIn s;
    auto api = s.api;
    api.ca_file = "/nonexistent/workbook-ca.pem";
    CHECK(fetch_async(api, "fmtlib/fmt").full_name == "fmtlib/fmt");
    CHECK(fetch_blocking(api, "fmtlib/fmt").full_name == "fmtlib/fmt");
}

TEST_CASE("clients: a CA file that cannot be read is named when HTTPS needs it") {
    TestStandIn s(workbook::testing::quick(), /*tls=*/true);
    auto api = s.api;
    api.ca_file = "/nonexistent/workbook-ca.pem";
    for (const auto& e : {error_of([&] { fetch_async(api, "fmtlib/fmt"); }),
                          error_of([&] { fetch_blocking(api, "fmtlib/fmt"); })}) {
        CHECK(e.failure() == Failure::ca_file);
        CHECK_HAS(std::string(e.what()), "/nonexistent/workbook-ca.pem");
        CHECK_HAS(std::string(e.what()), "cannot load the CA certificates");
        CHECK_HAS_NOT(std::string(e.what()),
                      "did not verify");  // not the server's certificate's fault
    }
    // cpp-httplib tries the file only once per client: the next request
    // must still blame the file and not the certificate.
    auto client = workbook::make_blocking_client(api, 5s);
    for (int i = 0; i < 2; ++i) {
        CAPTURE(i);
        CHECK(error_of([&] {
                  workbook::fetch_repo_blocking(*client, api, "fmtlib/fmt");
              }).failure() == Failure::ca_file);
    }
    CHECK(s.stats().requests == 0);
}

// ---------------------------------------------------------------------------
// Kept-alive connections the server has closed

namespace {
// Answers the first request on each connection and keeps the connection
// open, as HTTP/1.1 allows; a second request on the same connection finds it
// closed without an answer, as when a server times an idle connection out
// just as the client reuses it.
Reply closes_reused_connections(const SeenRequest& r) {
    if (r.on_connection > 0) return {"", /*close=*/true};
    return {http_response(200, repo_json(r.target.substr(7)))};
}
}  // namespace

TEST_CASE("async client: the retry after a stale kept-alive connection takes a new connection") {
    ScriptedServer server(closes_reused_connections);
    const auto api = server.api();
    std::size_t opened = 0;
    const auto info = workbook::testing::run_loop(
        [&]() -> asio::awaitable<workbook::RepoInfo> {
            auto executor = co_await asio::this_coro::executor;
            auto client = workbook::github_client(executor, api);
            // Three at once: three connections, all idle afterwards.
            int left = 3;
            asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
            for (const char* name : {"a/one", "a/two", "a/three"}) {
                asio::co_spawn(executor, workbook::fetch_repo_async(client, api, name),
                               [&](std::exception_ptr e, workbook::RepoInfo) {
                                   if (e) std::rethrow_exception(e);
                                   if (--left == 0) all_done.cancel();
                               });
            }
            co_await all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            REQUIRE(client.idle_connections() == 3);
            // Every idle connection is stale now: the retry must not take another.
            auto info = co_await workbook::fetch_repo_async(client, api, "a/four");
            opened = client.connections_opened();
            co_return info;
        }(),
        10s);
    CHECK(info.full_name == "a/four");
    CHECK(opened == 4);                    // the three, then one new for the retry
    CHECK(server.requests().size() == 5);  // the three, the stale try, the retry
}

TEST_CASE("blocking client: a request on a stale kept-alive connection is sent again") {
    ScriptedServer server(closes_reused_connections);
    const auto api = server.api();
    auto client = workbook::make_blocking_client(api, 5s);
    CHECK(workbook::fetch_repo_blocking(*client, api, "a/one").full_name == "a/one");
    CHECK(workbook::fetch_repo_blocking(*client, api, "a/two").full_name == "a/two");
    const auto seen = server.requests();
    REQUIRE(seen.size() == 3);
    CHECK(seen[1].connection == 0);  // the kept-alive connection, closed without an answer
    CHECK(seen[2].connection == 1);  // the same request again, on a new connection
}

TEST_CASE("clients: none fail against a server that closes after every answer silently") {
    // Connection: close is never sent, so both clients keep each connection
    // for the next request and find it closed then, sooner or later.
    ScriptedServer server([](const SeenRequest& r) {
        return Reply{http_response(200, repo_json(r.target.substr(7))), /*close=*/true};
    });
    const auto api = server.api();
    const auto names = workbook::testing::bench_names(200);
    int failed_async = 0;
    workbook::testing::run_loop(
        [&]() -> asio::awaitable<int> {
            auto executor = co_await asio::this_coro::executor;
            auto client = workbook::github_client(executor, api);
            // Ten at a time, each starting as another ends: idle connections are
            // taken while the server is still closing them.
            std::size_t next = 0;
            int running = 0;
            asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
            std::function<void()> start = [&] {
                const auto& name = names[next++];
                ++running;
                asio::co_spawn(executor, workbook::fetch_repo_async(client, api, name),
                               [&](std::exception_ptr e, workbook::RepoInfo) {
                                   if (e) ++failed_async;
                                   --running;
                                   if (next < names.size()) start();
                                   if (running == 0) all_done.cancel();
                               });
            };
            for (int i = 0; i < 10; ++i) start();
            co_await all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            co_return 0;
        }(),
        30s);
    CHECK(failed_async == 0);

    int failed_blocking = 0;
    auto client = workbook::make_blocking_client(api, 5s);
    for (std::size_t i = 0; i < 50; ++i) {
        try {
            workbook::fetch_repo_blocking(*client, api, names[i]);
        } catch (const FetchError&) {
            ++failed_blocking;
        }
    }
    CHECK(failed_blocking == 0);
}

// ---------------------------------------------------------------------------
// TLS

TEST_CASE("clients: a certificate made out to another host is reported as a host-name mismatch") {
    // The stand-in's certificate names localhost and 127.0.0.1. Listening on
    // 127.0.0.2 (loopback too) and asking for that address: the chain is
    // good, the name is not.
    workbook::StandIn server(workbook::testing::quick());
    try {
        server.listen_https("127.0.0.2");
    } catch (const std::exception& e) {
        MESSAGE("cannot listen on 127.0.0.2 here, skipped: " << e.what());
        return;
    }
    server.start();
    auto api = server.https_api();
    api.host = "127.0.0.2";
    for (const auto& e : {error_of([&] { fetch_async(api, "fmtlib/fmt"); }),
                          error_of([&] { fetch_blocking(api, "fmtlib/fmt"); })}) {
        CHECK(e.failure() == Failure::host_name);
        CHECK_HAS(std::string(e.what()), "another host");
        CHECK_HAS_NOT(std::string(e.what()), "WORKBOOK_CA_FILE");  // the CA is right
    }
    CHECK(server.stats().requests == 0);
}

TEST_CASE("clients: a TLS handshake that times out is advised as a timeout not a CA problem") {
    // A server that accepts and then says nothing: the client's hello is
    // never answered.
    ScriptedServer silent([](const SeenRequest&) { return Reply{"", false, /*hang=*/true}; });
    auto api = silent.api();
    api.scheme = "https";
    api.ca_file = workbook::stand_in_ca_file();
    workbook::http::ClientOptions options;
    options.connect_timeout = 300ms;
    const auto async = error_of([&] { fetch_async(api, "fmtlib/fmt", options); });
    CHECK(async.failure() == Failure::timeout);
    CHECK_HAS(std::string(async.what()), "in time");
    CHECK_HAS(std::string(async.what()), "TLS handshake");
    CHECK_HAS_NOT(std::string(async.what()), "WORKBOOK_CA_FILE");
    // cpp-httplib reports a handshake that timed out like any failed one.
    const auto blocking = error_of([&] { fetch_blocking(api, "fmtlib/fmt", 300ms); });
    CHECK((blocking.failure() == Failure::tls_handshake || blocking.failure() == Failure::timeout));
    CHECK_HAS_NOT(std::string(blocking.what()), "WORKBOOK_CA_FILE");
}

// ---------------------------------------------------------------------------
// Content-Encoding

TEST_CASE("clients: ask for gzip and decode it") {
    std::atomic<int> asked_for_gzip = 0;
    ScriptedServer server([&](const SeenRequest& r) {
        if (r.header("Accept-Encoding").find("gzip") == std::string::npos) {
            return Reply{http_response(200, repo_json(r.target.substr(7)))};
        }
        ++asked_for_gzip;
        return Reply{
            http_response(200, gzip(repo_json(r.target.substr(7))), "Content-Encoding: gzip\r\n")};
    });
    CHECK(fetch_async(server.api(), "zlib/zlib").full_name == "zlib/zlib");
    CHECK(fetch_blocking(server.api(), "zlib/zlib").full_name == "zlib/zlib");
    CHECK(asked_for_gzip == 2);
}

TEST_CASE("clients: refuse a Content-Encoding they cannot decode and name it") {
    ScriptedServer server([](const SeenRequest&) {
        return Reply{http_response(200, std::string("\x28\xb5\x2f\xfd\x00\x58", 6),
                                   "Content-Encoding: zstd\r\n")};
    });
    for (const auto& e : {error_of([&] { fetch_async(server.api(), "a/b"); }),
                          error_of([&] { fetch_blocking(server.api(), "a/b"); })}) {
        CHECK(e.failure() == Failure::content_encoding);
        CHECK_HAS(std::string(e.what()), "\"zstd\"");
        CHECK_HAS_NOT(std::string(e.what()), "JSON");
    }
}

TEST_CASE("async client: a corrupt gzip body is reported as such") {
    ScriptedServer server([](const SeenRequest&) {
        return Reply{
            http_response(200, gzip(repo_json("a/b")).substr(0, 20), "Content-Encoding: gzip\r\n")};
    });
    const auto e = error_of([&] { fetch_async(server.api(), "a/b"); });
    CHECK(e.failure() == Failure::content_encoding);
    CHECK_HAS(std::string(e.what()), "corrupt");
}

// ---------------------------------------------------------------------------
// The body cap

TEST_CASE("clients: a body over the cap names the cap and the size") {
    ScriptedServer server([](const SeenRequest& r) {
        if (r.target == "/chunked") {
            // No Content-Length: the cap is found out while reading.
            std::string chunks;
            for (int i = 0; i < 8; ++i) chunks += "200\r\n" + std::string(512, 'x') + "\r\n";
            return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks +
                         "0\r\n\r\n"};
        }
        return Reply{http_response(200, std::string(4096, 'x'))};
    });
    workbook::http::ClientOptions options;
    options.max_body_bytes = 1024;
    auto async_get = [&](const std::string& target) {
        return workbook::testing::run_loop(
            [&]() -> asio::awaitable<workbook::http::ClientResponse> {
                workbook::http::Client client(co_await asio::this_coro::executor,
                                              server.api().origin(), options);
                co_return co_await client.get(target);
            }(),
            10s);
    };
    auto blocking_client = workbook::make_blocking_client(server.api(), 5s);
    auto blocking_get = [&](const std::string& target) {
        return workbook::get_blocking(*blocking_client, server.api(), target, 1024);
    };
    for (const std::string target : {"/sized", "/chunked"}) {
        CAPTURE(target);
        for (int which = 0; which < 2; ++which) {
            CAPTURE(which);
            try {
                if (which == 0)
                    async_get(target);
                else
                    blocking_get(target);
                FAIL("a body over the cap must be refused");
            } catch (const TransportError& e) {
                CHECK(e.failure() == Failure::body_too_large);
                CHECK_HAS(std::string(e.what()), "cap of 1024 bytes");
                CHECK_HAS(std::string(e.what()),
                          target == "/sized" ? "4096 bytes" : "more than 1024 bytes");
                CHECK_HAS_NOT(std::string(e.what()), "not valid HTTP");
            }
        }
    }
    // And the advice for it is not "is the API on the right port?".
    const auto advice = workbook::describe_transport_failure(
        server.api(), "a/b", TransportError(Failure::body_too_large, "the body is over the cap"));
    CHECK_HAS_NOT(advice, "port");
}

// ---------------------------------------------------------------------------
// Redirects

TEST_CASE("clients: follow a 301 to a renamed repository with the token") {
    std::atomic<int> with_token = 0;
    ScriptedServer server([&](const SeenRequest& r) {
        if (r.header("Authorization") == "token s3cret") ++with_token;
        if (r.target == "/repos/old/name")
            return Reply{http_response(301, "", "Location: /repos/new/name\r\n")};
        return Reply{http_response(200, repo_json(r.target.substr(7)))};
    });
    auto api = server.api();
    api.token = "s3cret";
    CHECK(fetch_async(api, "old/name").full_name == "new/name");
    CHECK(fetch_blocking(api, "old/name").full_name == "new/name");
    CHECK(with_token == 4);  // same origin: both requests of each fetch carry it
}

TEST_CASE("clients: never send the token to another origin on a redirect") {
    std::atomic<int> elsewhere_with_token = 0;
    ScriptedServer elsewhere([&](const SeenRequest& r) {
        if (!r.header("Authorization").empty()) ++elsewhere_with_token;
        return Reply{http_response(200, repo_json(r.target.substr(7)))};
    });
    const std::string there = "http://127.0.0.1:" + std::to_string(elsewhere.port());
    for (const int status : {301, 302, 307, 308}) {
        CAPTURE(status);
        ScriptedServer home([&](const SeenRequest& r) {
            return Reply{http_response(status, "", "Location: " + there + r.target + "\r\n")};
        });
        auto api = home.api();
        api.token = "s3cret";
        CHECK(fetch_async(api, "a/moved").full_name == "a/moved");
        CHECK(fetch_blocking(api, "a/moved").full_name == "a/moved");
        CHECK(home.requests().at(0).header("Authorization") == "token s3cret");
    }
    CHECK(elsewhere.requests().size() == 8);
    CHECK(elsewhere_with_token == 0);
}

TEST_CASE("clients: stop after five redirects and say too many redirects") {
    ScriptedServer server([](const SeenRequest& r) {
        return Reply{http_response(302, "", "Location: " + r.target + "x\r\n")};
    });
    for (const auto& e : {error_of([&] { fetch_async(server.api(), "a/b"); }),
                          error_of([&] { fetch_blocking(server.api(), "a/b"); })}) {
        CHECK(e.failure() == Failure::redirect);
        CHECK_HAS(std::string(e.what()), "too many redirects");
    }
    CHECK(server.requests().size() == 12);  // 1 + 5 redirects, by each client
}

// ---------------------------------------------------------------------------
// Statuses that need more than their number

TEST_CASE("clients: 429 and a 403 with Retry-After say how long to wait") {
    ScriptedServer server([](const SeenRequest& r) {
        if (r.target == "/repos/a/busy") {
            return Reply{
                http_response(429, R"({"message": "Too Many Requests"})", "Retry-After: 30\r\n")};
        }
        return Reply{http_response(403,
                                   R"({"message": "You have exceeded a secondary rate limit."})",
                                   "Retry-After: 60\r\nX-RateLimit-Remaining: 4999\r\n")};
    });
    for (const auto& e : {error_of([&] { fetch_async(server.api(), "a/busy"); }),
                          error_of([&] { fetch_blocking(server.api(), "a/busy"); })}) {
        CHECK(e.status() == 429);
        CHECK_HAS(std::string(e.what()), "429 Too Many Requests");
        CHECK_HAS(std::string(e.what()), "wait 30 s");
    }
    for (const auto& e : {error_of([&] { fetch_async(server.api(), "a/fast"); }),
                          error_of([&] { fetch_blocking(server.api(), "a/fast"); })}) {
        CHECK(e.status() == 403);
        CHECK_HAS(std::string(e.what()), "secondary rate limit");
        CHECK_HAS(std::string(e.what()), "wait 60 s");
        CHECK_HAS_NOT(std::string(e.what()), "lacks access");
    }
}

TEST_CASE("clients: a 401 without a token says a token is required") {
    workbook::StandInOptions options = workbook::testing::quick();
    options.token = "the-right-one";
    TestStandIn s(options);
    auto api = s.api;
    api.token.clear();
    for (const auto& e : {error_of([&] { fetch_async(api, "fmtlib/fmt"); }),
                          error_of([&] { fetch_blocking(api, "fmtlib/fmt"); })}) {
        CHECK(e.status() == 401);
        CHECK_HAS(std::string(e.what()), "none is set");
        CHECK_HAS_NOT(std::string(e.what()), "wrong or expired");
    }
    api.token = "a-wrong-one";
    for (const auto& e : {error_of([&] { fetch_async(api, "fmtlib/fmt"); }),
                          error_of([&] { fetch_blocking(api, "fmtlib/fmt"); })}) {
        CHECK(e.status() == 401);
        CHECK_HAS(std::string(e.what()), "wrong or expired");
        CHECK_HAS_NOT(std::string(e.what()), "a-wrong-one");  // never the token itself
    }
}

// ---------------------------------------------------------------------------
// Steps as values

TEST_CASE("clients: each failure carries its step") {
    ApiConfig nowhere;
    {
        TestStandIn s;  // learn a free port, then close it
        nowhere = s.api;
    }
    CHECK(error_of([&] { fetch_async(nowhere, "a/b"); }).failure() == Failure::connect);
    CHECK(error_of([&] { fetch_blocking(nowhere, "a/b"); }).failure() == Failure::connect);

    ScriptedServer garbage([](const SeenRequest&) {
        return Reply{"SSH-2.0-OpenSSH_9.2\r\n\r\n", true};
    });
    CHECK(error_of([&] { fetch_async(garbage.api(), "a/b"); }).failure() == Failure::protocol);

    ScriptedServer hung([](const SeenRequest&) { return Reply{"", false, /*hang=*/true}; });
    workbook::http::ClientOptions options;
    options.read_timeout = 300ms;
    CHECK(error_of([&] { fetch_async(hung.api(), "a/b", options); }).failure() == Failure::timeout);
    // cpp-httplib reports both the same way; get_blocking tells them apart.
    CHECK(error_of([&] { fetch_blocking(hung.api(), "a/b", 300ms); }).failure() ==
          Failure::timeout);

    ScriptedServer cut([](const SeenRequest&) {
        return Reply{http_response(200, repo_json("a/b")).substr(0, 60), /*close=*/true};
    });
    CHECK(error_of([&] { fetch_async(cut.api(), "a/b"); }).failure() == Failure::broken_off);
    CHECK(error_of([&] { fetch_blocking(cut.api(), "a/b"); }).failure() == Failure::broken_off);
}

TEST_CASE("clients: the advice follows the Failure and not the words of the message") {
    const ApiConfig api = workbook::parse_api_url("https://api.example.test");
    // A message full of the words that used to pick the CA advice.
    const std::string misleading = "TLS certificate SSL handshake: timed out";
    const auto timeout = workbook::describe_transport_failure(
        api, "a/b", TransportError(Failure::timeout, misleading));
    CHECK_HAS(timeout, "in time");
    CHECK_HAS_NOT(timeout, "WORKBOOK_CA_FILE");
    const auto certificate = workbook::describe_transport_failure(
        api, "a/b", TransportError(Failure::certificate, "timed out"));
    CHECK_HAS(certificate, "WORKBOOK_CA_FILE");
    CHECK_HAS_NOT(certificate, "in time");
    // Every step has advice of its own beyond the message.
    for (int i = 0; i <= static_cast<int>(Failure::redirect); ++i) {  // redirect is the last
        const auto step = static_cast<Failure>(i);
        CAPTURE(workbook::to_string(step));
        const auto advice =
            workbook::describe_transport_failure(api, "a/b", TransportError(step, "m"));
        CHECK(advice.size() > std::string("a/b: m").size() + 20);
    }
}
