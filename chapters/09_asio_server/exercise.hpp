// Chapter 09 exercise: the routes of a JSON server, as aiohttp's router
// has them.
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/http_message.hpp"

namespace chapter09 {

using workbook::http::Request;
using workbook::http::Response;

// What the {name} segments of a route's pattern matched, by name: aiohttp's
// request.match_info.
using Params = std::map<std::string, std::string, std::less<>>;

using RouteHandler = std::function<asio::awaitable<Response>(const Request&, const Params&)>;

// One route: app.router.add_get("/hello/{name}", handler) in aiohttp.
struct Route {
    std::string method;   // "GET", "POST", ...
    std::string pattern;  // "/", "/hello/{name}", "/repos/{owner}/{name}"
    RouteHandler handler;
};

// Given (given.cpp): a JSON response as aiohttp's web.json_response makes
// it, with Content-Type: application/json; charset=utf-8.
Response json_response(const nlohmann::json& body, int status = 200);

// Given: the slide's app, GET / answering {"message": "Hello World"}, and a
// greeting with a path parameter, GET /hello/{name}.
std::vector<Route> hello_routes();

// TODO(09.1): does `path` (a request's path, still percent-encoded, without
// the query) match `pattern`? Both are split at '/' and must have as many
// segments. A literal segment must be equal; a `{name}` segment matches any
// one segment that is not empty (it never spans a '/'), and its value, with
// %XX escapes decoded ("Jos%C3%A9" -> "José", "a%2Fb" -> "a/b"; a '+'
// stays a '+'; a '%' not followed by two hex digits stays as it is), goes
// into params[name]. On a mismatch, return false (what is in params then
// does not matter).
bool match(std::string_view pattern, std::string_view path, Params& params);

// TODO(09.2): answer `request` with the first route whose method and
// pattern match it, calling its handler with the params. As in aiohttp:
//   - a GET route answers HEAD as well (the server sends no body for HEAD);
//   - a path that some route matches, but none for this method: 405, with
//     an `Allow` header listing the methods its routes take, sorted and
//     joined by commas ("GET,HEAD"), and the JSON body
//     {"status": 405, "error": "Method Not Allowed"};
//   - a path no route matches: 404, {"status": 404, "error": "Not Found"}.
asio::awaitable<Response> dispatch(const std::vector<Route>& routes, const Request& request);

}  // namespace chapter09
