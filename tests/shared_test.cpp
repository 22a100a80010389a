// The workbook's own library: the helpers every chapter uses, the HTTP
// server layer, and the GitHub stand-in that every other test relies on.
// If the stand-in counted wrong, every concurrency test above it would lie,
// so its statistics are checked here against requests we control exactly.
#include "support/doctest.hpp"

#include <random>
#include <thread>

#include "support/hostile_clients.hpp"
#include "support/raw_http.hpp"
#include "support/test_stand_in.hpp"
#include "workbook/blocking_client.hpp"
#include "workbook/github.hpp"
#include "workbook/stand_in.hpp"
#include "workbook/timeline.hpp"
#include "workbook/timing.hpp"
#include "workbook/utf8.hpp"

using namespace workbook;
using workbook::testing::body_of;
using workbook::testing::get_request;
using workbook::testing::RawConnection;
using workbook::testing::status_of;
using workbook::testing::TestStandIn;
using namespace std::chrono_literals;
namespace hostile = workbook::testing::hostile;

namespace {

// The stand-in with a short latency.
StandInOptions quick() {
    return workbook::testing::quick({}, 5ms);
}

StandInOptions with_fault(const std::string& repo, Fault fault) {
    auto o = quick();
    o.faults[repo] = fault;
    return o;
}

}  // namespace

TEST_CASE("utf8_problem accepts UTF-8 and names what is wrong with anything else") {
    using workbook::utf8_problem;
    for (const char* good : {"", "Ana", "Jos\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                             "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF"}) {
        CAPTURE(good);
        CHECK(utf8_problem(good) == "");
    }
    const std::pair<const char*, const char*> bad[] = {
        {"caf\xE9", "byte 0xE9 at offset 3 starts a 3-byte sequence cut short after 1"},
        {"\xE9t\xE9", "byte 0xE9 at offset 0 starts a 3-byte sequence that ends after 1"},
        {"\xFF", "byte 0xFF at offset 0 is never UTF-8"},
        {"\xC3", "byte 0xC3 at offset 0 starts a 2-byte sequence cut short after 1"},
        {"\xA9", "byte 0xA9 at offset 0 continues a sequence that never started"},
        {"\xC0\xAF", "byte 0xC0 at offset 0 starts an overlong encoding (of an ASCII character)"},
        {"\xE0\x80\xAF", "byte 0xE0 at offset 0 starts an overlong encoding"},
        {"\xF0\x80\x80\xAF", "byte 0xF0 at offset 0 starts an overlong encoding"},
        {"\xED\xA0\x80", "byte 0xED at offset 0 encodes a surrogate (U+D800-U+DFFF)"},
        {"\xF4\x90\x80\x80", "byte 0xF4 at offset 0 encodes a code point above U+10FFFF"},
        {"\xE2\x82", "byte 0xE2 at offset 0 starts a 3-byte sequence cut short after 2"},
        {"\xE2\x82x", "byte 0xE2 at offset 0 starts a 3-byte sequence that ends after 2"},
    };
    for (const auto& [text, why] : bad) {
        CAPTURE(text);
        CHECK(utf8_problem(text) == why);
    }
}

TEST_CASE("parse_repo_info reads name and full_name and stargazers_count") {
    const auto info =
        parse_repo_info(R"({"id": 1, "name": "asio", "full_name": "chriskohlhoff/asio",
                                          "stargazers_count": 5012, "owner": {"login": "chriskohlhoff"}})");
    CHECK(info == RepoInfo{"asio", "chriskohlhoff/asio", 5012});
    CHECK(to_string(info) ==
          R"({name: "asio", full_name: "chriskohlhoff/asio", stargazers_count: 5012})");
}

TEST_CASE("parse_repo_info names a missing or mistyped field") {
    CHECK_THROWS_WITH_AS(parse_repo_info(R"({"name": "a", "full_name": "o/a"})"),
                         doctest::Contains("no field \"stargazers_count\""), ParseError);
    CHECK_THROWS_WITH_AS(
        parse_repo_info(R"({"name": "a", "full_name": "o/a", "stargazers_count": "12"})"),
        doctest::Contains("field \"stargazers_count\" is a string"), ParseError);
    CHECK_THROWS_WITH_AS(
        parse_repo_info(R"({"name": 3, "full_name": "o/a", "stargazers_count": 1})"),
        doctest::Contains("field \"name\" is a number"), ParseError);
    CHECK_THROWS_WITH_AS(parse_repo_info("{\"name\": <html>"), doctest::Contains("not valid JSON"),
                         ParseError);
    CHECK_THROWS_WITH_AS(parse_repo_info(""), doctest::Contains("empty"), ParseError);
    CHECK_THROWS_WITH_AS(parse_repo_info("[1, 2]"), doctest::Contains("an array"), ParseError);
    CHECK_THROWS_WITH_AS(
        parse_repo_info(R"({"name": "a", "full_name": "o/a", "stargazers_count": 1.5})"),
        doctest::Contains("is a fractional number"), ParseError);
    CHECK_THROWS_WITH_AS(parse_repo_info(R"({"name": "a", "full_name": "o/a",
                                             "stargazers_count": 18446744073709551615})"),
                         doctest::Contains("too large"), ParseError);
    CHECK_THROWS_WITH_AS(
        parse_repo_info(R"({"name": "a", "full_name": "o/a", "stargazers_count": 1} trailing)"),
        doctest::Contains("not valid JSON"), ParseError);
}

TEST_CASE("parse_repo_info keeps the top-level fields - not those of the same name inside owner") {
    const auto info = parse_repo_info(
        R"({"owner": {"name": "not this", "stargazers_count": 1, "full_name": 2},
            "name": "a", "topics": ["name", {"name": 3}], "full_name": "o/a",
            "stargazers_count": 7, "license": {"name": null}})");
    CHECK(info == RepoInfo{"a", "o/a", 7});
    // A key given twice: the last one counts, as in a parsed tree.
    CHECK(
        parse_repo_info(R"({"name": "x", "name": "a", "full_name": "o/a", "stargazers_count": 1})")
            .name == "a");
}

TEST_CASE("parse_api_url reads scheme host port and refuses credentials in the URL") {
    const auto github = parse_api_url("https://api.github.com");
    CHECK(github.scheme == "https");
    CHECK(github.host == "api.github.com");
    CHECK(github.port == 443);
    CHECK(github.origin().to_string() == "https://api.github.com");
    CHECK_FALSE(github.is_local());

    const auto local = parse_api_url("http://127.0.0.1:8700/");
    CHECK(local.port == 8700);
    CHECK(local.is_local());
    CHECK(local.repo_path("a/b") == "/repos/a/b");

    CHECK(parse_api_url("http://[::1]:9000").host == "::1");
    CHECK_THROWS_WITH_AS(parse_api_url("https://user:secret@api.github.com"),
                         doctest::Contains("GITHUB_TOKEN"), std::invalid_argument);
    CHECK_THROWS_AS(parse_api_url("ftp://example.com"), std::invalid_argument);
    CHECK_THROWS_AS(parse_api_url("http://127.0.0.1:99999"), std::invalid_argument);
    CHECK_THROWS_AS(parse_api_url("127.0.0.1:8700"), std::invalid_argument);
}

TEST_CASE("repo_path accepts owner/name only") {
    const ApiConfig api;
    CHECK(api.repo_path("sanic-org/sanic") == "/repos/sanic-org/sanic");
    for (const char* bad :
         {"sanic", "/sanic", "a/", "a/b/c", "a/b?x=1", "a b/c", "../etc/passwd", "a/b\r\nX: y"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(api.repo_path(bad), std::invalid_argument);
    }
}

TEST_CASE("failure messages say what happened and what to do") {
    CHECK(describe_status("o/r", 404, R"({"message": "Not Found"})").find("404 Not Found") !=
          std::string::npos);
    const auto limited =
        describe_status("o/r", 403, R"({"message": "API rate limit exceeded"})", "0");
    CHECK(limited.find("rate limit") != std::string::npos);
    CHECK(limited.find("GITHUB_TOKEN") != std::string::npos);
    CHECK(describe_status("o/r", 401, "").find("GITHUB_TOKEN") != std::string::npos);
    const auto down = describe_transport_failure(
        parse_api_url("http://127.0.0.1:1"), "o/r",
        workbook::TransportError(workbook::Failure::connect, "connection refused"));
    CHECK(down.find("./workbook") != std::string::npos);
    CHECK(redact("Authorization: token s3cret, again s3cret", "s3cret") ==
          "Authorization: token ***, again ***");
}

TEST_CASE("timing_line prints seconds with two decimals") {
    CHECK(timing_line(std::chrono::milliseconds(2034)) == "Execution time = 2.03 s");
}

namespace {
int count_of(const std::string& text, const std::string& part) {
    int n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("the timeline draws one bar per request in the order they arrived") {
    using workbook::StatsEntry;
    const std::vector<StatsEntry> log{{"/repos/b/<late>", 200, 100'000, 200'000},
                                      {"/repos/a/first", 200, 0, 100'000},
                                      {"/repos/c/hung", 0, 150'000, 0},
                                      {"/repos/d/missing", 404, 150'000, 160'000}};
    const auto svg = workbook::timeline_svg(log, {"sync: 4 requests", "0.2 s"});
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(count_of(svg, "<title>") == 4);
    CHECK(svg.find("sync: 4 requests") != std::string::npos);
    // Sorted by arrival: a's bar comes first; the path is escaped.
    CHECK(svg.find("/repos/a/first") < svg.find("/repos/b/&lt;late&gt;"));
    CHECK(svg.find("<late>") == std::string::npos);
    CHECK(svg.find("/repos/c/hung: no answer") != std::string::npos);
    CHECK(count_of(svg, "#c0392b") == 1);  // the one that never got an answer
    CHECK(count_of(svg, "#e67e22") == 1);  // the 404
    // A fixed span puts a 200 ms run in the first tenth of a 2 s picture.
    const auto wide = workbook::timeline_svg(log, {"t", "s", 2'000'000});
    CHECK(wide.find(">2000</text>") != std::string::npos);
    CHECK(svg.find(">2000</text>") == std::string::npos);
}

TEST_CASE("the stand-in answers a known repository with GitHub-shaped JSON") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/chriskohlhoff/asio")));
    const auto response = c.read_response();
    CHECK(status_of(response) == 200);
    CHECK(response.find("Content-Type: application/json") != std::string::npos);
    const auto info = parse_repo_info(body_of(response));
    CHECK(info.full_name == "chriskohlhoff/asio");
    CHECK(info.stargazers_count > 0);
    CHECK(body_of(response).find("\"owner\"") != std::string::npos);
}

TEST_CASE("the stand-in knows every repository of the talk and the made-up bench ones") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    for (const auto& name : repositories()) {
        CAPTURE(name);
        REQUIRE(c.send(get_request("/repos/" + name)));
        const auto response = c.read_response();
        REQUIRE(status_of(response) == 200);
        CHECK(parse_repo_info(body_of(response)).full_name == name);
    }
    REQUIRE(c.send(get_request("/repos/workbook-bench/repo-1234")));
    CHECK(parse_repo_info(body_of(c.read_response())).stargazers_count == 1234);
}

TEST_CASE("the stand-in answers 404 with GitHub's error body for an unknown repository") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/nobody/nothing")));
    const auto response = c.read_response();
    CHECK(status_of(response) == 404);
    CHECK(body_of(response).find("\"message\":\"Not Found\"") != std::string::npos);
    CHECK(body_of(response).find("documentation_url") != std::string::npos);
}

TEST_CASE("the stand-in checks the token it was given") {
    auto options = quick();
    options.token = "s3cret";
    TestStandIn s(options);
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/nodejs/llhttp")));
    auto response = c.read_response();
    CHECK(status_of(response) == 401);
    CHECK(body_of(response).find("Requires authentication") != std::string::npos);

    REQUIRE(c.send(get_request("/repos/nodejs/llhttp", "Authorization: token wrong\r\n")));
    response = c.read_response();
    CHECK(status_of(response) == 401);
    CHECK(body_of(response).find("Bad credentials") != std::string::npos);

    REQUIRE(c.send(get_request("/repos/nodejs/llhttp", "Authorization: token s3cret\r\n")));
    CHECK(status_of(c.read_response()) == 200);
    REQUIRE(c.send(get_request("/repos/nodejs/llhttp", "Authorization: Bearer s3cret\r\n")));
    CHECK(status_of(c.read_response()) == 200);
}

TEST_CASE("the stand-in refuses a token in the URL") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/nodejs/llhttp?access_token=s3cret")));
    const auto response = c.read_response();
    CHECK(status_of(response) == 401);
    CHECK(body_of(response).find("Authorization header") != std::string::npos);
}

TEST_CASE("fault 403 is GitHub's rate-limit answer") {
    TestStandIn s(with_fault("redis/redis", Fault::rate_limited));
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/redis/redis")));
    const auto response = c.read_response();
    CHECK(status_of(response) == 403);
    CHECK(response.find("X-RateLimit-Remaining: 0\r\n") != std::string::npos);
    CHECK(response.find("X-RateLimit-Reset: ") != std::string::npos);
    CHECK(body_of(response).find("rate limit exceeded") != std::string::npos);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));  // only the faulty one fails
    CHECK(status_of(c.read_response()) == 200);
}

TEST_CASE("faults 401 404 and 500 answer with those statuses") {
    auto options = quick();
    options.faults = {{"a/one", Fault::unauthorized},
                      {"fmtlib/fmt", Fault::not_found},
                      {"a/three", Fault::server_error}};
    TestStandIn s(options);
    RawConnection c(s.api.port);
    for (const auto& [repo, status] :
         {std::pair{"a/one", 401}, {"fmtlib/fmt", 404}, {"a/three", 500}}) {
        CAPTURE(repo);
        REQUIRE(c.send(get_request(std::string("/repos/") + repo)));
        CHECK(status_of(c.read_response()) == status);
    }
}

TEST_CASE("fault malformed sends a 200 whose body is not JSON") {
    TestStandIn s(with_fault("fmtlib/fmt", Fault::malformed));
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
    const auto response = c.read_response();
    CHECK(status_of(response) == 200);
    CHECK_THROWS_AS(parse_repo_info(body_of(response)), ParseError);
}

TEST_CASE("fault truncated sends half the promised body then closes") {
    TestStandIn s(with_fault("fmtlib/fmt", Fault::truncated));
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
    const auto response = c.read_all();
    const auto at = response.find("Content-Length: ");
    REQUIRE(at != std::string::npos);
    const auto promised = std::stoul(response.substr(at + 16));
    CHECK(body_of(response).size() == promised / 2);
}

TEST_CASE("fault reset breaks the connection mid-response") {
    TestStandIn s(with_fault("fmtlib/fmt", Fault::reset));
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
    const auto response = c.read_all();  // ends at the reset
    CHECK(status_of(response) == 200);
    const auto promised = std::stoul(response.substr(response.find("Content-Length: ") + 16));
    CHECK(body_of(response).size() < promised);
}

TEST_CASE("fault hang never answers and stopping the stand-in still ends it") {
    auto options = with_fault("fmtlib/fmt", Fault::hang);
    StandIn server(options);
    const auto port = server.listen_http();
    server.start();
    RawConnection c(port, 300ms);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
    CHECK_THROWS_WITH(c.read_response(), doctest::Contains("timed out"));
    CHECK(server.stats().in_flight == 1);
    server.stop();  // returns only once every connection has ended
    CHECK(server.stats().in_flight == 0);
}

TEST_CASE("the stand-in counts the requests in flight at once") {
    auto options = quick();
    options.latency = 300ms;  // long enough for all of them to arrive first
    TestStandIn s(options);
    constexpr int n = 12;
    std::vector<std::unique_ptr<RawConnection>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<RawConnection>(s.api.port));
        REQUIRE(
            clients.back()->send(get_request("/repos/workbook-bench/repo-" + std::to_string(i))));
    }
    for (auto& c : clients) CHECK(status_of(c->read_response()) == 200);
    const auto stats = s.stats();
    CHECK(stats.requests == n);
    CHECK(stats.max_in_flight == n);
    CHECK(stats.in_flight == 0);
    REQUIRE(stats.log.size() == n);
    for (const auto& e : stats.log) {
        CHECK(e.status == 200);
        CHECK(e.end_us - e.start_us >= 300'000);
    }
}

TEST_CASE("a client that sends its next request on receipt never raises the peak") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
        CHECK(status_of(c.read_response()) == 200);
    }
    CHECK(s.stats().max_in_flight == 1);
    CHECK(s.stats().requests == 5);
}

TEST_CASE("GET /_stats reports what stats() does and POST /_stats/reset clears it") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
    REQUIRE(status_of(c.read_response()) == 200);
    REQUIRE(c.send(get_request("/_stats")));
    const auto over_http = stats_from_json(body_of(c.read_response()));
    CHECK(over_http.requests == 1);
    CHECK(over_http.max_in_flight == 1);
    REQUIRE(over_http.log.size() == 1);
    CHECK(over_http.log[0].path == "/repos/fmtlib/fmt");
    CHECK(over_http.log[0].status == 200);

    REQUIRE(c.send("POST /_stats/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
    CHECK(status_of(c.read_response()) == 200);
    const auto after = s.stats();
    CHECK(after.requests == 0);
    CHECK(after.max_in_flight == 0);
    CHECK(after.log.empty());
}

TEST_CASE("keep-alive serves several requests on one connection and pipelined ones in order") {
    TestStandIn s(quick());
    RawConnection c(s.api.port);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt") + get_request("/repos/nobody/nothing") +
                   get_request("/repos/redis/redis")));
    CHECK(status_of(c.read_response()) == 200);
    CHECK(status_of(c.read_response()) == 404);
    const auto third = c.read_response();
    CHECK(parse_repo_info(body_of(third)).full_name == "redis/redis");
}

// The hostile clients of tests/support/hostile_clients.hpp; chapter 09's
// server passes the same.
TEST_CASE("a malformed request gets 400 and the connection is closed") {
    TestStandIn s(quick());
    hostile::malformed_requests(s.api.port, get_request("/repos/fmtlib/fmt"));
}

TEST_CASE("the stand-in survives hundreds of random malformed requests") {
    auto options = quick();
    options.head_timeout = 1s;  // junk that looks like half a request is cut off quickly
    TestStandIn s(options);
    hostile::random_junk(s.api.port, get_request("/repos/fmtlib/fmt"));
}

TEST_CASE("a request head over the limit gets 431") {
    TestStandIn s(quick());
    hostile::head_over_limit(s.api.port, "/repos/fmtlib/fmt", get_request("/repos/fmtlib/fmt"));
}

TEST_CASE("a request body over the limit gets 413") {
    TestStandIn s(quick());
    hostile::body_over_limit(s.api.port, "/repos/fmtlib/fmt", get_request("/repos/fmtlib/fmt"));
}

TEST_CASE("a request head trickled one byte at a time is cut off at the head deadline") {
    auto options = quick();
    options.head_timeout = 300ms;
    TestStandIn s(options);
    hostile::trickled_head(s.api.port, "/repos/fmtlib/fmt", get_request("/repos/fmtlib/fmt"));
    CHECK(s.stats().requests == 1);  // the one request of another client, answered meanwhile
}

TEST_CASE("clients that hang up mid-request leave no connection behind at the stand-in") {
    TestStandIn s(quick());
    hostile::leaves_mid_request(s.api.port, get_request("/repos/fmtlib/fmt"),
                                [&] { return static_cast<std::size_t>(s.stats().connections); });
}

TEST_CASE("a client that hangs up while its request waits is let go at once and logged 499") {
    auto options = quick();
    options.latency = 30s;  // far longer than the test: only the client's leaving ends it
    TestStandIn s(options);
    {
        RawConnection c(s.api.port);
        REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
        for (int i = 0; i < 1000 && s.stats().in_flight == 0; ++i) std::this_thread::sleep_for(5ms);
        REQUIRE(s.stats().in_flight == 1);
    }  // closed here, with the answer 30 s away
    Stats stats = s.stats();
    for (int i = 0; i < 1000 && (stats.in_flight != 0 || stats.connections != 0); ++i) {
        std::this_thread::sleep_for(5ms);
        stats = s.stats();
    }
    CHECK_MESSAGE(stats.in_flight == 0, "the request is still counted in flight");
    CHECK_MESSAGE(stats.connections == 0, "the connection is still held");
    REQUIRE(stats.log.size() == 1);
    CHECK(stats.log[0].status == 499);
    CHECK(stats.log[0].end_us - stats.log[0].start_us < 10'000'000);
}

TEST_CASE("a client that closes after a slow answer leaves no connection behind") {
    // The handler waits (latency), so the server watched for the client's
    // departure meanwhile; that watch must not keep the connection once the
    // client, answered, hangs up.
    auto options = quick();
    options.latency = 50ms;
    TestStandIn s(options);
    for (int i = 0; i < 3; ++i) {
        RawConnection c(s.api.port);
        REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
        REQUIRE(status_of(c.read_response()) == 200);
    }
    Stats stats = s.stats();
    for (int i = 0; i < 1000 && stats.connections != 0; ++i) {
        std::this_thread::sleep_for(5ms);
        stats = s.stats();
    }
    CHECK_MESSAGE(stats.connections == 0, stats.connections << " answered connections still held");
    CHECK(stats.log.size() == 3);
    for (const auto& entry : stats.log) CHECK(entry.status == 200);
}

TEST_CASE("the stand-in in a process of its own holds 10000 idle connections and still answers") {
    // Both ends of 10,000 connections do not fit in one process under the
    // usual hard limit of 20,000 open files: the stand-in runs apart.
    TestStandIn s(TestStandIn::Process{{"--latency", "0"}});
    hostile::idle_connections(
        s.api.port, get_request("/repos/fmtlib/fmt"), 10'000,
        [&] { return static_cast<std::size_t>(s.stats().connections); }, false);
}

TEST_CASE("the stand-in reports its own CPU per request in its statistics") {
    TestStandIn s(TestStandIn::Process{{"--latency", "0"}});
    for (int i = 0; i < 50; ++i) {
        RawConnection c(s.api.port);
        REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
        REQUIRE(status_of(c.read_response()) == 200);
    }
    const Stats stats = s.stats();
    CHECK(stats.requests >= 50);
    CHECK(stats.cpu_us_per_request > 0);
    CHECK(stats.cpu_us_per_request < 100'000);  // a tenth of a second a request would be absurd
    s.reset_stats();
    CHECK(s.stats().cpu_us_per_request == 0);  // nothing asked since: nothing to divide
}

TEST_CASE("the stand-in holds a thousand idle connections and still answers a new client") {
    TestStandIn s(quick());
    hostile::idle_connections(s.api.port, get_request("/repos/fmtlib/fmt"), 1000,
                              [&] { return static_cast<std::size_t>(s.stats().connections); });
}

TEST_CASE("the stand-in serves HTTPS that verifies against the workbook's CA") {
    StandIn server(quick());
    server.listen_https();
    server.start();
    const auto api = server.https_api();
    auto client = make_blocking_client(api, 5s);
    const auto result = client->Get(api.repo_path("nlohmann/json"));
    REQUIRE_MESSAGE(result, transport_failure(*client, result.error()).what());
    CHECK(result->status == 200);
    CHECK(parse_repo_info(result->body).full_name == "nlohmann/json");
}

TEST_CASE("a client that trusts only the system's CAs refuses the stand-in's certificate") {
    StandIn server(quick());
    server.listen_https();
    server.start();
    auto api = server.https_api();
    api.ca_file.clear();  // the system's store, which does not know the workbook's CA
    auto client = make_blocking_client(api, 5s);
    const auto result = client->Get(api.repo_path("nlohmann/json"));
    REQUIRE_FALSE(result);
    const auto message = describe_transport_failure(api, "nlohmann/json",
                                                    transport_failure(*client, result.error()));
    CHECK(message.find("certificate") != std::string::npos);
    CHECK(server.stats().requests == 0);  // nothing got through
}

TEST_CASE("a stand-in process that cannot start says why instead of waiting for its port") {
    using workbook::testing::TestStandIn;
    CHECK_THROWS_WITH(TestStandIn(TestStandIn::Process{{"--bogus"}}),
                      doctest::Contains("unknown option --bogus"));
}
