// What chapter 09's server (Asio) and chapter 10's (cpp-httplib) must both
// answer, asked over real HTTP as curl would: the slide's GET /, the
// greeting GET /hello/{name}, HEAD, and JSON errors with aiohttp's statuses
// (405 with Allow, 404).
#pragma once

#include "support/doctest.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/raw_http.hpp"

namespace workbook::testing::routes {

// raw_http.hpp's, under the name the chapters' tests reach them by.
using workbook::testing::absent_header;
using workbook::testing::header_of;

// One request on a connection of its own, closed by the server after it:
// the whole answer, head and body (a HEAD's answer has no body to wait for).
inline std::string ask(unsigned short port, const std::string& method, const std::string& target) {
    RawConnection c(port);
    REQUIRE(
        c.send(method + " " + target +
               " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    return c.read_all();
}

inline nlohmann::json json_of(const std::string& response) {
    const auto j = nlohmann::json::parse(body_of(response), nullptr, false);
    INFO("the body: " << body_of(response));
    REQUIRE_FALSE(j.is_discarded());
    return j;
}

inline void check_json_type(const std::string& response) {
    CHECK(header_of(response, "Content-Type") == "application/json; charset=utf-8");
}

// GET / and GET /hello/{name}: 200 and JSON; the query is not part of the path.
inline void check_hello(unsigned short port) {
    const auto root = ask(port, "GET", "/");
    REQUIRE_MESSAGE(status_of(root) == 200, root);
    check_json_type(root);
    CHECK((json_of(root) == nlohmann::json{{"message", "Hello World"}}));
    const auto ana = ask(port, "GET", "/hello/Ana");
    REQUIRE_MESSAGE(status_of(ana) == 200, ana);
    CHECK((json_of(ana) == nlohmann::json{{"message", "Hello, Ana"}}));
    const auto jose = ask(port, "GET", "/hello/Jos%C3%A9");
    REQUIRE_MESSAGE(status_of(jose) == 200, jose);
    CHECK_MESSAGE((json_of(jose) == nlohmann::json{{"message", "Hello, Jos\xC3\xA9"}}),
                  "the name is percent-decoded");
    const auto query = ask(port, "GET", "/hello/Ana?lang=pt");
    REQUIRE_MESSAGE(status_of(query) == 200, "the query is not part of the path\n" << query);
    CHECK_MESSAGE((json_of(query) == nlohmann::json{{"message", "Hello, Ana"}}),
                  "the query is not part of the path");
}

// HEAD on a GET route: GET's Content-Length, no body.
inline void check_head(unsigned short port) {
    const auto get = ask(port, "GET", "/hello/Ana");
    const auto head = ask(port, "HEAD", "/hello/Ana");
    REQUIRE_MESSAGE(status_of(head) == 200, "a GET route answers HEAD too\n" << head);
    CHECK_MESSAGE(header_of(head, "Content-Length") == header_of(get, "Content-Length"),
                  "HEAD answers with GET's headers, Content-Length too (the length the GET's body "
                  "has), and no body: HEAD said \""
                      << header_of(head, "Content-Length") << "\", GET said \""
                      << header_of(get, "Content-Length") << "\"");
    CHECK_MESSAGE(body_of(head).empty(), "HEAD's answer carries no body, only GET's headers");
}

// A path of the app asked with a method none of its routes takes.
inline void check_method_not_allowed(unsigned short port) {
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"POST", "/"}, {"PUT", "/hello/Ana"}, {"DELETE", "/"}}) {
        CAPTURE(method);
        CAPTURE(target);
        const auto response = ask(port, method, target);
        REQUIRE_MESSAGE(
            status_of(response) == 405,
            method << " " << target
                   << " matches a route's path but none of its methods: that is 405 "
                      "Method Not Allowed (with an Allow header), not "
                   << status_of(response)
                   << (status_of(response) == 404 ? " (404 is for a path no route has: look at the "
                                                    "path first, then the method)"
                                                  : "")
                   << ". The answer:\n"
                   << response);
        CHECK_MESSAGE(header_of(response, "Allow") == "GET,HEAD",
                      "RFC 9110 asks a 405 to say what is allowed; a GET route takes HEAD too; "
                      "sorted, joined by commas, as aiohttp writes it");
        check_json_type(response);
        CHECK((json_of(response) ==
               nlohmann::json{{"status", 405}, {"error", "Method Not Allowed"}}));
    }
}

// Paths no route of the app matches, whatever the method.
inline void check_not_found(unsigned short port) {
    for (const auto& [method, target] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "/nowhere"},
                                                          {"POST", "/nowhere"},
                                                          {"GET", "/hello/Ana/"},
                                                          {"GET", "/hello/"}}) {
        CAPTURE(method);
        CAPTURE(target);
        const auto response = ask(port, method, target);
        REQUIRE_MESSAGE(status_of(response) == 404,
                        method << " " << target
                               << " matches no route's path: that is 404 Not Found, not "
                               << status_of(response)
                               << (status_of(response) == 405
                                       ? " (405 is for a path that a route has, with another "
                                         "method)"
                                       : "")
                               << ". The answer:\n"
                               << response);
        check_json_type(response);
        CHECK((json_of(response) == nlohmann::json{{"status", 404}, {"error", "Not Found"}}));
        CHECK_MESSAGE(header_of(response, "Allow") == absent_header,
                      "only a 405 says what is allowed");
    }
}

// Names whose bytes are not UTF-8, on one keep-alive connection: each gets
// 400 as JSON naming the bytes, and the connection serves the request after
// it. %E9 is é in Latin-1, %FF never UTF-8, %C3 a sequence cut short,
// %C0%AF an overlong '/', %ED%A0%80 a surrogate; the last is a raw byte.
// `per_connection`: how many requests the server serves on one connection
// (cpp-httplib closes one after 5); a new connection is opened after them.
inline void check_not_utf8(unsigned short port, int per_connection = 1000) {
    auto c = std::make_unique<RawConnection>(port);
    int served = 0;
    const auto send = [&](const std::string& target) {
        if (served++ == per_connection) {
            c = std::make_unique<RawConnection>(port);
            served = 1;
        }
        return c->send(get_request(target));
    };
    for (const std::string name :
         {"%E9", "%FF", "%C3", "%C0%AF", "%ED%A0%80", "caf%E9", "caf\xE9"}) {
        CAPTURE(name);
        REQUIRE(send("/hello/" + name));
        const auto response = c->read_response();
        REQUIRE_MESSAGE(!response.empty(),
                        "GET /hello/" << name
                                      << " got no answer: the connection was closed. The name "
                                         "is a byte that is not UTF-8, which JSON cannot carry "
                                         "(nlohmann's dump() throws type_error.316): check it "
                                         "with workbook::utf8_problem before building the JSON");
        REQUIRE_MESSAGE(status_of(response) == 400,
                        "GET /hello/"
                            << name << " must get 400: the client sent bytes that are not UTF-8"
                            << (status_of(response) == 500
                                    ? " (500 says the server failed; here the input is at fault)"
                                    : "")
                            << ". The answer:\n"
                            << response);
        check_json_type(response);
        const auto body = json_of(response);
        CHECK(body.value("status", 0) == 400);
        CHECK(body.value("error", "") == "Bad Request");
        CHECK_MESSAGE(body.value("detail", "").find("not UTF-8") != std::string::npos,
                      "the detail says the name is not UTF-8 and where: " << body.dump());
    }
    REQUIRE_MESSAGE(send("/hello/caf%C3%A9"),
                    "the connection must serve the next request after a 400 for a name");
    const auto cafe = c->read_response();
    REQUIRE_MESSAGE(status_of(cafe) == 200,
                    "after the 400s, the same connection serves a name in UTF-8 again:\n"
                        << cafe);
    CHECK((json_of(cafe) == nlohmann::json{{"message", "Hello, caf\xC3\xA9"}}));
}

}  // namespace workbook::testing::routes
