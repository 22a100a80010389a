// The stand-in answers as api.github.com does, and its server as HTTP/1.1
// asks of every origin server. A client that works against the stand-in
// should work against GitHub unchanged: rate-limit headers it can pace
// itself by, an ETag it can revalidate with, the usual repository fields,
// and the protocol's corner cases (HEAD, Expect, absolute-form targets, a
// missing Host) answered the way a real server answers them. Every test
// speaks HTTP over a socket to a stand-in on a free port.
#include "support/doctest.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "support/raw_http.hpp"
#include "support/test_stand_in.hpp"
#include "workbook/blocking_client.hpp"
#include "workbook/github.hpp"
#include "workbook/http_server.hpp"
#include "workbook/stand_in.hpp"

using namespace workbook;
using workbook::testing::body_of;
using workbook::testing::get_request;
using workbook::testing::header_of;
using workbook::testing::quick;
using workbook::testing::RawConnection;
using workbook::testing::status_of;
using workbook::testing::TestStandIn;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

long long number_header(const std::string& response, const std::string& name) {
    const std::string value = header_of(response, name);
    REQUIRE_MESSAGE(value.find_first_not_of("0123456789") == std::string::npos,
                    name << ": " << value);
    REQUIRE_FALSE(value.empty());
    return std::stoll(value);
}

std::string ask(RawConnection& c, const std::string& request) {
    REQUIRE(c.send(request));
    return c.read_response();
}

std::string request(const std::string& method, const std::string& target,
                    const std::string& extra = {}) {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

// One request on a new connection from `source` (any 127.x.y.z address is
// this machine), read until the server closes: a second client, as the
// stand-in tells clients apart by address.
std::string ask_from(const char* source, unsigned short port, const std::string& target) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                           ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    std::string response;
    if (connected) {
        const std::string text = request("GET", target, "Connection: close\r\n");
        ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        char chunk[65536];
        for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;)
            response.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    REQUIRE_MESSAGE(connected, "cannot connect from " << source);
    return response;
}

StandInOptions github_limits(std::map<std::string, Fault> faults = {}) {
    auto options = quick(std::move(faults), 0ms);
    options.rate_limit = github_rate_limit;
    return options;
}

const char* const rate_limit_headers[] = {"X-RateLimit-Limit", "X-RateLimit-Remaining",
                                          "X-RateLimit-Used", "X-RateLimit-Reset",
                                          "X-RateLimit-Resource"};

}  // namespace

TEST_CASE("the stand-in sends GitHub's five rate-limit headers on every API answer") {
    auto options = quick({{"a/three", Fault::server_error}}, 0ms);
    TestStandIn s(options);
    RawConnection c(s.api.port);
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    for (const auto& [text, status] : {std::pair{request("GET", "/repos/fmtlib/fmt"), 200},
                                       {request("GET", "/repos/nobody/nothing"), 404},
                                       {request("GET", "/users/nobody"), 404},
                                       {request("DELETE", "/repos/fmtlib/fmt"), 405},
                                       {request("GET", "/repos/a/three"), 500}}) {
        CAPTURE(text);
        const auto response = ask(c, text);
        CHECK(status_of(response) == status);
        for (const char* name : rate_limit_headers)
            CHECK_MESSAGE(header_of(response, name) != "<absent>", name);
        CHECK(header_of(response, "X-RateLimit-Resource") == "core");
        CHECK(number_header(response, "X-RateLimit-Remaining") +
                  number_header(response, "X-RateLimit-Used") ==
              number_header(response, "X-RateLimit-Limit"));
        // Seconds since 1970, as GitHub sends it: within the hour to come
        // (the window starts at the client's first request, just now).
        const long long reset = number_header(response, "X-RateLimit-Reset");
        CHECK(reset > now);
        CHECK(reset <= now + 3600 + 60);
    }
    // Five requests counted, one after another.
    CHECK(number_header(ask(c, request("GET", "/repos/fmtlib/fmt")), "X-RateLimit-Used") == 6);
    // The statistics are the stand-in's own, not GitHub's API: not counted.
    const auto stats = ask(c, request("GET", "/_stats"));
    CHECK(header_of(stats, "X-RateLimit-Limit") == "<absent>");
}

TEST_CASE(
    "the stand-in counts a client down from GitHub's 60 to its 403 and POST /_stats/reset starts again") {
    TestStandIn s(github_limits({{"redis/redis", Fault::rate_limited}}));
    RawConnection c(s.api.port);
    // The fault answers as the limit does; it is not a request that counts.
    const auto fault = ask(c, request("GET", "/repos/redis/redis"));
    REQUIRE(status_of(fault) == 403);
    for (int i = 0; i < 60; ++i) {
        const auto response = ask(c, request("GET", "/repos/fmtlib/fmt"));
        REQUIRE(status_of(response) == 200);
        CHECK(number_header(response, "X-RateLimit-Limit") == 60);
        CHECK(number_header(response, "X-RateLimit-Remaining") == 59 - i);
        CHECK(number_header(response, "X-RateLimit-Used") == i + 1);
    }
    const auto limited = ask(c, request("GET", "/repos/fmtlib/fmt"));
    CHECK(status_of(limited) == 403);
    CHECK(header_of(limited, "X-RateLimit-Remaining") == "0");
    CHECK(header_of(limited, "X-RateLimit-Used") == "60");
    const auto body = json::parse(body_of(limited));
    CHECK(body.at("message").get<std::string>().rfind("API rate limit exceeded for 127.0.0.1.",
                                                      0) == 0);
    CHECK(body.at("documentation_url").get<std::string>().find("rate-limiting") !=
          std::string::npos);
    // Fault 403 and the limit reached look alike to a client: same body,
    // same headers.
    CHECK(body_of(fault) == body_of(limited));
    for (const char* name : rate_limit_headers) {
        CAPTURE(name);
        if (std::string_view(name) != "X-RateLimit-Reset")
            CHECK(header_of(fault, name) == header_of(limited, name));
    }
    // Every path of the API is refused now, a known one or not.
    CHECK(status_of(ask(c, request("GET", "/repos/nobody/nothing"))) == 403);
    // A token is another client, with GitHub's 5,000.
    const auto with_token =
        ask(c, request("GET", "/repos/fmtlib/fmt", "Authorization: token abc\r\n"));
    CHECK(status_of(with_token) == 200);
    CHECK(header_of(with_token, "X-RateLimit-Limit") == "5000");
    CHECK(header_of(with_token, "X-RateLimit-Remaining") == "4999");

    REQUIRE(status_of(ask(
                c, "POST /_stats/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")) == 200);
    const auto again = ask(c, request("GET", "/repos/fmtlib/fmt"));
    CHECK(status_of(again) == 200);
    CHECK(header_of(again, "X-RateLimit-Remaining") == "59");
}

TEST_CASE("the stand-in counts each address and each token on its own") {
    auto options = quick({}, 0ms);
    options.rate_limit = {2, 3};
    TestStandIn s(options);
    CHECK(status_of(ask_from("127.0.0.1", s.api.port, "/repos/fmtlib/fmt")) == 200);
    CHECK(status_of(ask_from("127.0.0.1", s.api.port, "/repos/fmtlib/fmt")) == 200);
    CHECK(status_of(ask_from("127.0.0.1", s.api.port, "/repos/fmtlib/fmt")) == 403);
    const auto other = ask_from("127.0.0.2", s.api.port, "/repos/fmtlib/fmt");
    CHECK(status_of(other) == 200);
    CHECK(header_of(other, "X-RateLimit-Remaining") == "1");
    CHECK(status_of(ask_from("127.0.0.2", s.api.port, "/repos/fmtlib/fmt")) == 200);
    const auto limited = ask_from("127.0.0.2", s.api.port, "/repos/fmtlib/fmt");
    CHECK(status_of(limited) == 403);
    CHECK(body_of(limited).find("exceeded for 127.0.0.2.") != std::string::npos);

    RawConnection c(s.api.port);
    for (int i = 0; i < 3; ++i) {
        CHECK(status_of(ask(c, request("GET", "/repos/fmtlib/fmt",
                                       "Authorization: token first\r\n"))) == 200);
    }
    const auto first =
        ask(c, request("GET", "/repos/fmtlib/fmt", "Authorization: Bearer first\r\n"));
    CHECK(status_of(first) == 403);
    CHECK(body_of(first).find("user ID") !=
          std::string::npos);  // GitHub names the user, not an address
    CHECK(status_of(ask(
              c, request("GET", "/repos/fmtlib/fmt", "Authorization: token second\r\n"))) == 200);
}

TEST_CASE(
    "the stand-in's default limit is above what a benchmark sends and reset_stats restarts it") {
    TestStandIn plain(quick({}, 0ms));
    RawConnection c(plain.api.port);
    for (const char* auth : {"", "Authorization: token t\r\n"}) {
        const auto response = ask(c, request("GET", "/repos/fmtlib/fmt", auth));
        CHECK(number_header(response, "X-RateLimit-Limit") == workbook_rate_limit.without_token);
        CHECK(workbook_rate_limit.without_token >=
              100'000);  // ./workbook bench fetch --repos 10000, every model
    }

    auto options = quick({}, 0ms);
    options.rate_limit = {3, 3};
    TestStandIn s(options);
    RawConnection d(s.api.port);
    for (int i = 0; i < 3; ++i)
        REQUIRE(status_of(ask(d, request("GET", "/repos/fmtlib/fmt"))) == 200);
    CHECK(status_of(ask(d, request("GET", "/repos/fmtlib/fmt"))) == 403);
    s.reset_stats();
    CHECK(status_of(ask(d, request("GET", "/repos/fmtlib/fmt"))) == 200);
}

TEST_CASE("the stand-in dates every answer in the format RFC 7231 asks for") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    std::vector<std::string> responses = {ask(c, request("GET", "/repos/fmtlib/fmt")),
                                          ask(c, request("GET", "/repos/nobody/nothing")),
                                          ask(c, request("GET", "/_stats"))};
    RawConnection bad(s.api.port);
    REQUIRE(bad.send("GET /repos/fmtlib/fmt HTTP/1.1\r\n\r\n"));  // the server's own 400: no Host
    responses.push_back(bad.read_all());
    for (const auto& response : responses) {
        const std::string date = header_of(response, "Date");
        CAPTURE(date);
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT", always 29 characters.
        REQUIRE(date.size() == 29);
        std::tm tm{};
        const char* end = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        REQUIRE(end != nullptr);
        CHECK(*end == '\0');
        // Written back from the time it names, the same text: the weekday
        // agrees with the date, the fields are zero-padded, the zone is GMT.
        CHECK(http::http_date(std::chrono::system_clock::from_time_t(timegm(&tm))) == date);
    }
}

TEST_CASE(
    "the stand-in tags a 200 with an ETag and answers a matching If-None-Match with 304 and no body") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    const auto first = ask(c, request("GET", "/repos/fmtlib/fmt"));
    REQUIRE(status_of(first) == 200);
    const std::string etag = header_of(first, "ETag");
    CAPTURE(etag);
    REQUIRE(etag.size() > 2);
    CHECK(etag.front() == '"');
    CHECK(etag.back() == '"');
    CHECK(header_of(ask(c, request("GET", "/repos/fmtlib/fmt")), "ETag") ==
          etag);  // the same body, the same tag
    CHECK(header_of(ask(c, request("GET", "/repos/redis/redis")), "ETag") != etag);

    for (const std::string& condition :
         {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
        CAPTURE(condition);
        const auto response =
            ask(c, request("GET", "/repos/fmtlib/fmt", "If-None-Match: " + condition + "\r\n"));
        CHECK(status_of(response) == 304);
        CHECK(body_of(response).empty());
        CHECK(header_of(response, "Content-Length") ==
              "<absent>");  // a 304's would have to be the 200's
        CHECK(header_of(response, "ETag") == etag);
    }
    const auto changed =
        ask(c, request("GET", "/repos/fmtlib/fmt", "If-None-Match: \"other\"\r\n"));
    CHECK(status_of(changed) == 200);
    CHECK(body_of(changed) == body_of(first));
    // Nothing of a 304 was left on the connection for the next answer.
    CHECK(parse_repo_info(body_of(ask(c, request("GET", "/repos/redis/redis")))).full_name ==
          "redis/redis");
}

TEST_CASE("a 304 from the stand-in is free for a client with a token as on GitHub") {
    TestStandIn s(github_limits());
    RawConnection c(s.api.port);
    const std::string token = "Authorization: token t\r\n";
    const auto first = ask(c, request("GET", "/repos/fmtlib/fmt", token));
    CHECK(header_of(first, "X-RateLimit-Remaining") == "4999");
    const std::string condition = "If-None-Match: " + header_of(first, "ETag") + "\r\n";
    for (int i = 0; i < 3; ++i) {
        const auto response = ask(c, request("GET", "/repos/fmtlib/fmt", token + condition));
        CHECK(status_of(response) == 304);
        CHECK(header_of(response, "X-RateLimit-Remaining") == "4999");
    }
    // GitHub's rule: free "if the request was made while correctly
    // authorized with an Authorization header". Without one, it counts.
    CHECK(header_of(ask(c, request("GET", "/repos/fmtlib/fmt")), "X-RateLimit-Remaining") == "59");
    const auto anonymous = ask(c, request("GET", "/repos/fmtlib/fmt", condition));
    CHECK(status_of(anonymous) == 304);
    CHECK(header_of(anonymous, "X-RateLimit-Remaining") == "58");
}

TEST_CASE("the stand-in answers HEAD like GET without the body") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    const auto get = ask(c, request("GET", "/repos/nlohmann/json"));
    REQUIRE(status_of(get) == 200);
    // HEAD, then a GET that closes: if HEAD's answer carried any body, the
    // GET's status line would not follow its head directly.
    REQUIRE(c.send(request("HEAD", "/repos/nlohmann/json") +
                   request("GET", "/repos/fmtlib/fmt", "Connection: close\r\n")));
    const auto both = c.read_all();
    const auto head_end = both.find("\r\n\r\n") + 4;
    const auto head = both.substr(0, head_end);
    CHECK(status_of(head) == 200);
    CHECK(number_header(head, "Content-Length") == static_cast<long long>(body_of(get).size()));
    CHECK(header_of(head, "ETag") == header_of(get, "ETag"));
    CHECK(header_of(head, "Content-Type") == header_of(get, "Content-Type"));
    const auto next = both.substr(head_end);
    CHECK(next.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(parse_repo_info(body_of(next)).full_name == "fmtlib/fmt");
}

TEST_CASE(
    "the stand-in answers another method on an API path with 405 and an Allow header of GET and HEAD") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        for (const char* path : {"/repos/fmtlib/fmt", "/repos/nobody/nothing"}) {
            CAPTURE(method);
            CAPTURE(path);
            const auto response = ask(c, request(method, path, "Content-Length: 0\r\n"));
            CHECK(status_of(response) == 405);
            CHECK(header_of(response, "Allow") == "GET, HEAD");
            CHECK(json::parse(body_of(response)).at("message") == "Method Not Allowed");
        }
    }
    const auto reset = ask(c, request("GET", "/_stats/reset"));
    CHECK(status_of(reset) == 405);
    CHECK(header_of(reset, "Allow") == "POST");
}

TEST_CASE(
    "the stand-in matches owner and name without regard to case and answers with the canonical name") {
    TestStandIn s(quick({{"fmtlib/fmt", Fault::not_found}}, 0ms));
    RawConnection c(s.api.port);
    const auto canonical = ask(c, request("GET", "/repos/chriskohlhoff/asio"));
    const auto shouted = ask(c, request("GET", "/repos/ChrisKohlhoff/ASIO"));
    REQUIRE(status_of(shouted) == 200);
    const auto repo = json::parse(body_of(shouted));
    CHECK(repo.at("full_name") == "chriskohlhoff/asio");
    CHECK(repo.at("name") == "asio");
    CHECK(repo.at("owner").at("login") == "chriskohlhoff");
    CHECK(body_of(shouted) == body_of(canonical));
    CHECK(header_of(shouted, "ETag") == header_of(canonical, "ETag"));

    const auto bench = ask(c, request("GET", "/repos/Workbook-Bench/REPO-12"));
    REQUIRE(status_of(bench) == 200);
    CHECK(json::parse(body_of(bench)).at("full_name") == "workbook-bench/repo-12");
    // A fault chosen for a repository is that repository's, however spelt.
    CHECK(status_of(ask(c, request("GET", "/repos/FMTLIB/Fmt"))) == 404);
    // Another number is another name: repo-012 is not repo-12.
    CHECK(status_of(ask(c, request("GET", "/repos/workbook-bench/repo-012"))) == 404);
}

TEST_CASE("the stand-in answers 404 to a repository path with a trailing slash") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    CHECK(status_of(ask(c, request("GET", "/repos/fmtlib/fmt"))) == 200);
    for (const char* path :
         {"/repos/fmtlib/fmt/", "/repos/fmtlib/", "/repos/fmtlib//fmt", "/repos//fmt"}) {
        CAPTURE(path);
        const auto response = ask(c, request("GET", path));
        CHECK(status_of(response) == 404);
        CHECK(json::parse(body_of(response)).at("message") == "Not Found");
    }
}

TEST_CASE("the stand-in answers a path that is not UTF-8 and its /_stats still reads as JSON") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    // Escaped and raw: %E9 (é in Latin-1), %FF, a sequence cut short, and
    // the byte 0xE9 itself, which a hostile client may send as it is.
    for (const char* path : {"/repos/%E9/x", "/repos/a/%FF", "/repos/caf%C3/x", "/repos/\xE9/x"}) {
        CAPTURE(path);
        const auto response = ask(c, request("GET", path));
        REQUIRE_MESSAGE(status_of(response) == 404, response);
        CHECK(json::parse(body_of(response)).at("message") == "Not Found");
    }
    CHECK(status_of(ask(c, request("GET", "/repos/fmtlib/fmt"))) == 200);  // the same connection
    // The log holds the raw byte; JSON can carry only UTF-8, so /_stats
    // writes it as %XX, as it was on the wire.
    const auto stats = ask(c, request("GET", "/_stats"));
    REQUIRE_MESSAGE(status_of(stats) == 200, "/_stats after a raw byte in a path:\n" << stats);
    const auto log = json::parse(body_of(stats)).at("log");
    REQUIRE(log.size() == 5);
    CHECK(log[3].at("path") == "/repos/%E9/x");
}

TEST_CASE("a renamed repository at the stand-in answers 301 to /repositories/ID as GitHub does") {
    TestStandIn s(
        quick({{"nodejs/llhttp", Fault::moved}, {"fmtlib/fmt", Fault::redirect_loop}}, 0ms));
    RawConnection c(s.api.port);
    const auto moved = ask(c, request("GET", "/repos/nodejs/llhttp"));
    REQUIRE_MESSAGE(status_of(moved) == 301, moved);
    const std::string location = header_of(moved, "Location");
    const std::string prefix = "http://127.0.0.1/repositories/";
    REQUIRE_MESSAGE(location.rfind(prefix, 0) == 0, location);
    const auto body = json::parse(body_of(moved));
    CHECK(body.at("message") == "Moved Permanently");
    CHECK(body.at("url") == location);
    // Where it points, the repository is served, without its fault.
    const auto there = ask(c, request("GET", location.substr(location.find("/repositories/"))));
    REQUIRE_MESSAGE(status_of(there) == 200, there);
    CHECK(json::parse(body_of(there)).at("full_name") == "nodejs/llhttp");
    CHECK(status_of(ask(c, request("GET", "/repositories/99999"))) == 404);
    const auto loop = ask(c, request("GET", "/repos/fmtlib/fmt"));
    REQUIRE(status_of(loop) == 301);
    CHECK(header_of(loop, "Location") == "http://127.0.0.1/repos/fmtlib/fmt");
}

TEST_CASE("the stand-in answers 400 to an HTTP/1.1 request without exactly one valid Host") {
    TestStandIn s(quick({}, 0ms));
    for (const char* bad :
         {"GET /repos/fmtlib/fmt HTTP/1.1\r\n\r\n",
          "GET /repos/fmtlib/fmt HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",
          "GET /repos/fmtlib/fmt HTTP/1.1\r\nHost: a\"b\r\n\r\n",
          "GET /repos/fmtlib/fmt HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n"}) {
        CAPTURE(bad);
        RawConnection c(s.api.port);
        REQUIRE(c.send(bad));
        const auto response = c.read_all();  // read_all: the server must close
        CHECK(status_of(response) == 400);
        CHECK(body_of(response).find("Host") != std::string::npos);
        CHECK(header_of(response, "Connection") == "close");
    }
    CHECK(s.stats().requests == 0);  // refused before the stand-in saw them
    // HTTP/1.0 did not have Host yet: without one, it is served.
    RawConnection old(s.api.port);
    REQUIRE(old.send("GET /repos/fmtlib/fmt HTTP/1.0\r\n\r\n"));
    CHECK(status_of(old.read_all()) == 200);
    CHECK(s.stats().requests == 1);
}

TEST_CASE("the stand-in accepts an absolute-form target and takes the host from it") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    const std::string authority = "127.0.0.1:" + std::to_string(s.api.port);
    const auto response =
        ask(c, "GET http://" + authority + "/repos/fmtlib/fmt HTTP/1.1\r\nHost: elsewhere\r\n\r\n");
    REQUIRE(status_of(response) == 200);
    // RFC 9112 3.2.2: the target's authority wins over Host.
    CHECK(json::parse(body_of(response)).at("url") == "http://" + authority + "/repos/fmtlib/fmt");
    const auto stats = s.stats();
    REQUIRE(stats.log.size() == 1);
    CHECK(stats.log[0].path == "/repos/fmtlib/fmt");
    CHECK(status_of(ask(c, "GET HTTP://" + authority + "/_stats HTTP/1.1\r\nHost: x\r\n\r\n")) ==
          200);
}

TEST_CASE("the stand-in answers Expect: 100-continue with 100 Continue before the final answer") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    REQUIRE(c.send(request("GET", "/repos/fmtlib/fmt")));
    REQUIRE(status_of(c.read_response()) == 200);
    REQUIRE(s.stats().requests == 1);
    // The head alone: the server must invite the body before it has it.
    REQUIRE(
        c.send("POST /_stats/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: "
               "100-continue\r\n\r\n"));
    CHECK(c.read_response() == "HTTP/1.1 100 Continue\r\n\r\n");
    CHECK(s.stats().requests == 1);  // not answered yet: no reset
    REQUIRE(c.send("hello"));
    const auto final_answer = c.read_response();
    CHECK(status_of(final_answer) == 200);
    CHECK(body_of(final_answer).find("\"reset\": true") != std::string::npos);
    CHECK(s.stats().requests == 0);

    // Without Expect there is no invitation: the first answer is the final one.
    REQUIRE(c.send("POST /_stats/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    CHECK(status_of(c.read_response()) == 200);
}

TEST_CASE("plain HTTP sent to the stand-in's TLS port gets a 400 in plain text as nginx answers") {
    StandIn server(quick({}, 0ms));
    const unsigned short port = server.listen_https();
    server.start();
    RawConnection c(port);
    REQUIRE(c.send(get_request("/repos/fmtlib/fmt")));
    const auto response = c.read_all();  // and the server closes
    CHECK(status_of(response) == 400);
    CHECK(header_of(response, "Content-Type").rfind("text/plain", 0) == 0);
    CHECK(body_of(response).find("The plain HTTP request was sent to HTTPS port") !=
          std::string::npos);
    CHECK(server.stats().requests == 0);

    // TLS on the same port still works, and the URLs it answers with say https.
    const auto api = server.https_api();
    auto client = make_blocking_client(api, 5s);
    const auto result = client->Get(api.repo_path("fmtlib/fmt"));
    REQUIRE_MESSAGE(result, transport_failure(*client, result.error()).what());
    CHECK(result->status == 200);
    CHECK(json::parse(result->body).at("url").get<std::string>().rfind("https://localhost:", 0) ==
          0);
}

TEST_CASE("the stand-in's /_stats says when its log was cut and how many entries it dropped") {
    auto options = quick({}, 0ms);
    options.max_log = 3;
    TestStandIn s(options);
    RawConnection c(s.api.port);
    const auto fresh = json::parse(body_of(ask(c, request("GET", "/_stats"))));
    CHECK(fresh.at("log_truncated") == false);
    CHECK(fresh.at("log_dropped") == 0);
    for (int i = 0; i < 5; ++i)
        REQUIRE(status_of(ask(c, request("GET", "/repos/fmtlib/fmt"))) == 200);

    const std::string text = body_of(ask(c, request("GET", "/_stats")));
    const auto raw = json::parse(text);
    CHECK(raw.at("log_truncated") == true);
    CHECK(raw.at("log_dropped") == 2);
    const auto stats = stats_from_json(text);
    CHECK(stats.requests == 5);
    CHECK(stats.log.size() == 3);
    CHECK(stats.log_dropped == 2);
    for (const auto& e : stats.log) CHECK(e.status == 200);  // the first three, each finished
    CHECK(s.stats().log_dropped == 2);

    s.reset_stats();
    const auto after = json::parse(body_of(ask(c, request("GET", "/_stats"))));
    CHECK(after.at("log_truncated") == false);
    CHECK(after.at("log_dropped") == 0);
}

TEST_CASE("the stand-in's repository carries the fields a client of GitHub's API reads") {
    TestStandIn s(quick({}, 0ms));
    RawConnection c(s.api.port);
    const std::string base = "http://127.0.0.1";  // get_request's Host
    const auto response = ask(c, request("GET", "/repos/nlohmann/json"));
    REQUIRE(status_of(response) == 200);
    const auto repo = json::parse(body_of(response));
    const auto iso8601 = [](const json& v) {
        const std::string t = v.get<std::string>();
        std::tm tm{};
        const char* end = strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return t.size() == 20 && end != nullptr && *end == '\0';
    };
    CHECK(repo.at("id").is_number_integer());
    CHECK(repo.at("node_id").is_string());
    CHECK(repo.at("name") == "json");
    CHECK(repo.at("full_name") == "nlohmann/json");
    CHECK(repo.at("private") == false);
    const auto& owner = repo.at("owner");
    CHECK(owner.at("login") == "nlohmann");
    CHECK(owner.at("id").is_number_integer());
    CHECK((owner.at("type") == "User" || owner.at("type") == "Organization"));
    CHECK(owner.at("html_url") == "https://github.com/nlohmann");
    CHECK(repo.at("html_url") == "https://github.com/nlohmann/json");
    CHECK(repo.at("description").is_string());
    CHECK(repo.at("fork") == false);
    CHECK(repo.at("url") == base + "/repos/nlohmann/json");
    CHECK(repo.at("clone_url") == "https://github.com/nlohmann/json.git");
    CHECK(repo.at("git_url") == "git://github.com/nlohmann/json.git");
    CHECK(repo.at("ssh_url") == "git@github.com:nlohmann/json.git");
    CHECK((repo.at("homepage").is_string() || repo.at("homepage").is_null()));
    for (const char* count :
         {"size", "stargazers_count", "watchers_count", "forks_count", "open_issues_count"}) {
        CAPTURE(count);
        CHECK(repo.at(count).is_number_integer());
        CHECK(repo.at(count).get<long long>() >= 0);
    }
    CHECK(repo.at("stargazers_count") == 43020);
    CHECK(repo.at("language") == "C++");
    CHECK(repo.at("topics").is_array());
    CHECK_FALSE(repo.at("topics").empty());
    for (const auto& topic : repo.at("topics")) CHECK(topic.is_string());
    CHECK(repo.at("default_branch").is_string());
    for (const char* when : {"created_at", "updated_at", "pushed_at"}) {
        CAPTURE(when);
        CHECK(iso8601(repo.at(when)));
    }
    CHECK(repo.at("license").at("spdx_id") == "MIT");
    CHECK(repo.at("license").at("key") == "mit");
    CHECK(repo.at("archived") == false);
    CHECK(repo.at("visibility") == "public");

    // The same fields for every repository of the talk and the made-up ones.
    std::vector<std::string> names = repositories();
    names.push_back("workbook-bench/repo-77");
    for (const auto& name : names) {
        CAPTURE(name);
        const auto other = json::parse(body_of(ask(c, request("GET", "/repos/" + name))));
        for (const auto& [key, value] : repo.items()) CHECK_MESSAGE(other.contains(key), key);
        CHECK(other.at("full_name") == name);
    }
    const auto bench =
        json::parse(body_of(ask(c, request("GET", "/repos/workbook-bench/repo-77"))));
    CHECK(bench.at("stargazers_count") == 77);
    CHECK(bench.at("id").is_number_integer());
    CHECK(bench.at("url") == base + "/repos/workbook-bench/repo-77");

    // Deterministic: another stand-in sends the very same bytes.
    TestStandIn again(quick({}, 0ms));
    RawConnection d(again.api.port);
    CHECK(body_of(ask(d, request("GET", "/repos/nlohmann/json"))) == body_of(response));
}
