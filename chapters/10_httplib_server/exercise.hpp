// Chapter 10 exercise: chapter 09's routes, on cpp-httplib's thread pool.
#pragma once

namespace httplib {
class Server;
}

namespace chapter10 {

// The routes of the app, as cpp-httplib takes them: a method and a regular
// expression that must match the whole path, already percent-decoded by
// cpp-httplib, without the query. A group ( ) is a path parameter:
// request.matches[1].
struct RouteInfo {
    const char* method;
    const char* pattern;
};
inline constexpr RouteInfo app_routes[] = {
    {"GET", "/"},
    {"GET", R"(/hello/([^/]+))"},
};

// TODO(10.1): register the two routes of app_routes on `server`, each
// answering JSON with Content-Type "application/json; charset=utf-8":
//   GET /              {"message": "Hello World"}
//   GET /hello/<name>  {"message": "Hello, <name>"}
// (cpp-httplib answers HEAD with a GET route itself.) cpp-httplib decodes
// the path into bytes: /hello/%E9 gives the name "\xE9" (é in Latin-1),
// which JSON cannot carry. A name that workbook::utf8_problem (in
// "workbook/utf8.hpp") finds fault with gets chapter 09's answer, 400 and
//   {"status": 400, "error": "Bad Request",
//    "detail": "the name is not UTF-8: <what utf8_problem says>"}
void add_routes(httplib::Server& server);

// TODO(10.2): cpp-httplib answers 404 to a path it has no handler for in
// that method, even when another method has one. Install an error handler
// (server.set_error_handler) that makes its 404s what chapter 09 answers:
//   - a path that a route of app_routes matches, but for other methods:
//     405, with `Allow` listing those methods sorted and joined by commas
//     (a GET route takes HEAD too: "GET,HEAD"), and the JSON body
//     {"status": 405, "error": "Method Not Allowed"};
//   - otherwise {"status": 404, "error": "Not Found"}.
// Both with Content-Type "application/json; charset=utf-8".
void add_json_errors(httplib::Server& server);

}  // namespace chapter10
