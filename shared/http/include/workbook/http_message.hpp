// The HTTP messages the workbook's server and client exchange, as plain
// values: a request as the server hands it to a handler, the response a
// handler returns, and a response as the client hands it back. No I/O and no
// Asio here: the parsers (http_parser.hpp) fill these, the server
// (http_server.hpp) and the client (http_client.hpp) move them over sockets.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace workbook::http {

struct Header {
    std::string name;
    std::string value;
};

// Header names are case-insensitive (RFC 9110 5.1): "content-type" finds
// "Content-Type". Only ASCII letters fold, as in HTTP.
bool equal_nocase(std::string_view a, std::string_view b);

// The value of the first header called `name` (any case); empty if absent.
std::string_view find_header(const std::vector<Header>& headers, std::string_view name);

// A request, as the server's parser read it.
struct Request {
    std::string method;           // "GET"
    std::string target;           // "/repos/a/b?page=2", as sent (absolute-form too)
    std::string path;             // "/repos/a/b", also for "http://host/repos/a/b"
    std::string query;            // "page=2"
    std::vector<Header> headers;  // with an absolute-form target, Host is its authority
    std::string body;
    bool keep_alive = true;
    bool tls = false;  // it came over TLS: the scheme of the URLs a handler builds
    std::string peer;  // the client's IP address, "127.0.0.1"

    std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

// How a response ends. Anything but `complete` is a fault that the GitHub
// stand-in sends on purpose, so clients can be tested against it.
enum class Ending {
    complete,  // the whole response
    truncate,  // Content-Length promises the whole body, half is sent, then FIN
    reset,     // half the body, then a TCP reset (RST)
};

// A response, as a server's handler returns it.
struct Response {
    int status = 200;
    std::vector<Header> headers;  // the server adds Date, Content-Length and Connection
    std::string body;             // for HEAD, the body GET would get: only its length is sent
    Ending ending = Ending::complete;
    bool close = false;  // close the connection after this response
};

// A response, as the client's parser read it (the body still as sent: the
// client decodes gzip afterwards).
struct ClientResponse {
    int status = 0;
    std::vector<Header> headers;
    std::string body;

    std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

// "OK", "Not Found", ... ("Unknown" for a status it does not know).
std::string_view reason_phrase(int status);

// RFC 9110's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT": the Date header.
std::string http_date(std::chrono::system_clock::time_point when);

// 1xx, 204 and 304 never carry a body, and so no Content-Length either: a
// 304's would have to be the length of the 200 it stands for (RFC 9110 8.6).
bool status_has_body(int status);

// A response as it goes on the wire, appended to `out`: the status line,
// Date, the handler's headers, Content-Length (unless the status has no
// body), Connection (keep-alive or close), the blank line, and then the
// first `body_bytes` of the body (0 for HEAD; the whole body for a small
// response, so that head and body leave in one send).
void render_response(std::string& out, const Response& res, bool keep_alive, std::string_view date,
                     std::size_t body_bytes);

// The answer to a request whose handler threw `what`: 500, as JSON, as the
// workbook's servers answer: {"status": 500, "error": "Internal Server
// Error", "detail": "the handler threw: ..."} (a byte of `what` that is not
// UTF-8 written as U+FFFD: an exception's text may hold the bytes that
// caused it).
Response handler_threw(std::string_view what);

// `text` for a log line read in a terminal: bytes outside printable ASCII
// as \xNN, at most 200 bytes of it.
std::string printable(std::string_view text);

}  // namespace workbook::http
