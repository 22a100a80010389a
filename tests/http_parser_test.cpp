// The HTTP parsers and the origin rules, without a socket: bytes in, messages
// out. The server and client tests cover them over real connections; these
// pin down what is hard to provoke there (a request cut at every byte, two
// requests in one read, the exact status of each refusal).
#include "support/doctest.hpp"

#include <string>
#include <vector>

#include "support/printing.hpp"
#include "workbook/http_parser.hpp"
#include "workbook/origin.hpp"

using workbook::http::Request;
using workbook::http::RequestParser;
using workbook::http::ResponseParser;
using workbook::testing::mentions;
using Result = RequestParser::Result;

namespace {

// Feeds `bytes` to `parser` in pieces of `piece` bytes, taking every request
// it finds; stops at an error.
std::vector<Request> feed_in_pieces(RequestParser& parser, const std::string& bytes,
                                    std::size_t piece, Result* last = nullptr) {
    std::vector<Request> requests;
    Result result = Result::more;
    for (std::size_t at = 0; at < bytes.size() && result != Result::error; at += piece) {
        std::string_view data = std::string_view(bytes).substr(at, piece);
        while (!data.empty()) {
            std::size_t used = 0;
            result = parser.feed(data, used);
            data.remove_prefix(used);
            if (result == Result::request) requests.push_back(parser.take());
            if (result != Result::request) break;
        }
    }
    if (last) *last = result;
    return requests;
}

}  // namespace

TEST_CASE("request parser: two pipelined requests cut at every byte come out whole and in order") {
    const std::string bytes =
        "GET /repos/a/b?page=2 HTTP/1.1\r\nHost: x\r\nX-Long: one two\r\n\r\n"
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    for (std::size_t piece = 1; piece <= bytes.size(); ++piece) {
        CAPTURE(piece);
        RequestParser parser({});
        const auto requests = feed_in_pieces(parser, bytes, piece);
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].method == "GET");
        CHECK(requests[0].path == "/repos/a/b");
        CHECK(requests[0].query == "page=2");
        CHECK(requests[0].header("x-long") == "one two");
        CHECK(requests[1].method == "POST");
        CHECK(requests[1].body == "hello");
        CHECK_FALSE(parser.started());
    }
}

TEST_CASE("request parser: each refusal has its status") {
    struct Case {
        std::string bytes;
        int status;
        std::string says;
    };
    const std::vector<Case> cases = {
        {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200, 'a') + "\r\n\r\n", 431,
         "head is larger"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", 413, "body is larger"},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n" +
             std::string(128, 'b') + "\r\n0\r\n\r\n",
         413, "body is larger"},
        {"GET / HTTP/1.1\r\n\r\n", 400, "must have a Host"},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"},
        {"GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "another scheme"},
        // Found by fuzzing (fuzz/regressions/http_request): llhttp lets these through.
        {"POST * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "for OPTIONS only"},
        {"GET *,repos/a/b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "neither a path"},
        {"NOT HTTP AT ALL\r\n\r\n", 400, ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.bytes);
        RequestParser parser({/*max_header_bytes=*/128, /*max_body_bytes=*/100});
        Result last = Result::more;
        const auto requests = feed_in_pieces(parser, c.bytes, c.bytes.size(), &last);
        CHECK(requests.empty());
        CHECK(last == Result::error);
        CHECK(parser.error_status() == c.status);
        CHECK(mentions(parser.error_reason(), c.says));
    }
}

TEST_CASE("request parser: OPTIONS asterisk-form is read with the path asterisk") {
    RequestParser parser({});
    const auto requests = feed_in_pieces(parser, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 64);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].path == "*");
}

TEST_CASE("request parser: the head limit counts a header's name the same however it is cut") {
    // ": " and CRLF were counted again for each piece of a name, so a head
    // just under the limit got 431 when its bytes came in small pieces.
    const std::string head =
        "GET / HTTP/1.1\r\nHost: x\r\nX-Quite-A-Long-Header-Name: " + std::string(60, 'v') +
        "\r\n\r\n";
    for (const std::size_t piece : {head.size(), std::size_t(1), std::size_t(2), std::size_t(3)}) {
        CAPTURE(piece);
        RequestParser parser({/*max_header_bytes=*/head.size() - 4, /*max_body_bytes=*/0});
        Result last = Result::more;
        CHECK(feed_in_pieces(parser, head, piece, &last).size() == 1);
    }
}

TEST_CASE(
    "request parser: an Upgrade is ignored - the request is answered - then the connection closes") {
    RequestParser parser({});
    const auto requests = feed_in_pieces(
        parser, "GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n", 64);
    REQUIRE(requests.size() == 1);
    CHECK_FALSE(requests[0].keep_alive);
}

TEST_CASE(
    "request parser: an absolute-form target is served as its path with its authority as Host") {
    RequestParser parser({});
    const auto requests = feed_in_pieces(
        parser, "GET http://api.example:8700/repos/a/b HTTP/1.1\r\nHost: other\r\n\r\n", 64);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].path == "/repos/a/b");
    CHECK(requests[0].header("Host") == "api.example:8700");
}

TEST_CASE(
    "request parser: 100-continue is due once - only before any body - only for a request it will serve") {
    const std::string head =
        "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    {
        RequestParser parser({});
        std::size_t used = 0;
        CHECK(parser.feed(head, used) == Result::more);
        CHECK(parser.head_complete());
        CHECK(parser.take_continue());
        CHECK_FALSE(parser.take_continue());
        CHECK(parser.feed("abc", used) == Result::request);
        CHECK(parser.take().body == "abc");
    }
    {
        RequestParser parser({});  // the body came with the head: no invitation needed
        std::size_t used = 0;
        CHECK(parser.feed(head + "a", used) == Result::more);
        CHECK_FALSE(parser.take_continue());
    }
    {
        RequestParser parser({});  // no Host: it will be refused, so it is not invited
        std::size_t used = 0;
        CHECK(parser.feed("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
                          used) == Result::more);
        CHECK_FALSE(parser.take_continue());
    }
}

TEST_CASE("response parser: headers in pieces - a body over the cap - a head over its limit") {
    {
        ResponseParser parser(1024);
        const std::string bytes =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
        for (char c : bytes) REQUIRE(parser.feed(std::string_view(&c, 1)).empty());
        REQUIRE(parser.complete());
        const auto response = parser.take();
        CHECK(response.status == 200);
        CHECK(response.header("content-type") == "text/plain");
        CHECK(response.body == "hi");
    }
    {
        ResponseParser parser(10);
        CHECK_FALSE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n").empty());
        CHECK(parser.too_large());
        CHECK(parser.declared_length() == 11);
    }
    {
        ResponseParser parser(1024, /*max_head=*/64);
        const auto problem =
            parser.feed("HTTP/1.1 200 OK\r\nX-Big: " + std::string(100, 'a') + "\r\n\r\n");
        CHECK(mentions(problem, "over 64 bytes"));
    }
}

TEST_CASE("origins: printed with the port only when it is not the scheme's - parsed back") {
    CHECK(workbook::parse_origin("https://api.github.com").to_string() == "https://api.github.com");
    CHECK(workbook::parse_origin("http://127.0.0.1:8700").authority() == "127.0.0.1:8700");
    CHECK(workbook::parse_origin("http://[::1]:8700").host == "::1");
    CHECK(workbook::parse_origin("http://[::1]:8700").to_string() == "http://[::1]:8700");
    CHECK_THROWS_WITH(workbook::parse_origin("ftp://x"), doctest::Contains("http://"));
    CHECK_THROWS_WITH(workbook::parse_origin("http://u:p@x"), doctest::Contains("credentials"));
    CHECK_THROWS_WITH(workbook::parse_origin("http://x:99999"), doctest::Contains("65535"));
}

TEST_CASE("redirects: each form of Location leads where a browser would go") {
    const auto from = workbook::parse_origin("https://api.github.com");
    const auto absolute = workbook::follow_redirect(from, "/repos/a/b", "http://other:81/x?y=1#f");
    CHECK(absolute.origin.to_string() == "http://other:81");
    CHECK(absolute.target == "/x?y=1");
    const auto scheme_relative = workbook::follow_redirect(from, "/repos/a/b", "//mirror/r");
    CHECK(scheme_relative.origin.to_string() == "https://mirror");
    CHECK(workbook::follow_redirect(from, "/repos/a/b", "/repositories/7").target ==
          "/repositories/7");
    CHECK(workbook::follow_redirect(from, "/repos/a/b?x", "c").target == "/repos/a/c");
    CHECK(workbook::follow_redirect(from, "/repos/a/b", "/x").origin == from);
    CHECK_THROWS_WITH(workbook::follow_redirect(from, "/", ""), doctest::Contains("missing"));
    CHECK_THROWS_WITH(workbook::follow_redirect(from, "/", "/a b"), doctest::Contains("spaces"));
}

TEST_CASE("response parser: reads past a 100 Continue to the response") {
    // A client must read past interim answers even when it asked for none
    // (RFC 9110 15.2); it took the 100 for the response.
    const std::string bytes =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    for (const std::size_t piece : {bytes.size(), std::size_t(1), std::size_t(7)}) {
        CAPTURE(piece);
        ResponseParser parser(1024);
        for (std::size_t at = 0; at < bytes.size() && !parser.complete(); at += piece)
            REQUIRE(parser.feed(std::string_view(bytes).substr(at, piece)).empty());
        REQUIRE(parser.complete());
        const auto response = parser.take();
        CHECK(response.status == 200);
        CHECK(response.headers.size() == 1);  // not the 103's Link
        CHECK(response.body == "hi");
    }
}

TEST_CASE(
    "response parser: bytes after the response change nothing and the connection is not kept") {
    // A second response in the same read used to overwrite the status and
    // add to the body and the headers of the first.
    ResponseParser parser(1024);
    CHECK(parser
              .feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nbad")
              .empty());
    REQUIRE(parser.complete());
    CHECK_FALSE(parser.keep_alive());
    const auto response = parser.take();
    CHECK(response.status == 200);
    CHECK(response.headers.size() == 1);
    CHECK(response.body == "hi");
    CHECK(ResponseParser(1024).feed("").empty());  // nothing read: nothing to say
}
