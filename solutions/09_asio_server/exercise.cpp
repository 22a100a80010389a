// Chapter 09, reference answer: a router with path parameters, true to
// aiohttp's: segments matched one by one, values percent-decoded after the
// match, a GET route answering HEAD, 405 with Allow, 404 otherwise.
#include <nlohmann/json.hpp>
#include <set>

#include "exercise.hpp"

namespace chapter09 {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX escapes decoded; a '+' is a plus in a path (only forms make it a
// space), and a '%' without two hex digits after it is kept as it is.
std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// The next segment of `rest` (after its leading '/'), taken off the front.
// False when nothing is left.
bool next_segment(std::string_view& rest, std::string_view& segment) {
    if (rest.empty()) return false;
    rest.remove_prefix(1);  // the '/'
    const auto slash = rest.find('/');
    segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    return true;
}

}  // namespace

bool match(std::string_view pattern, std::string_view path, Params& params) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    std::string_view want, got;
    for (;;) {
        const bool more_pattern = next_segment(pattern, want);
        const bool more_path = next_segment(path, got);
        if (!more_pattern || !more_path) return more_pattern == more_path;
        if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
            if (got.empty()) return false;  // "/hello/" has no name
            params[std::string(want.substr(1, want.size() - 2))] = percent_decode(got);
        } else if (want != got) {
            return false;
        }
    }
}

asio::awaitable<Response> dispatch(const std::vector<Route>& routes, const Request& request) {
    std::set<std::string> allowed;  // the methods of the routes whose pattern matched
    for (const Route& route : routes) {
        Params params;
        if (!match(route.pattern, request.path, params)) continue;
        const bool serves_method =
            route.method == request.method || (route.method == "GET" && request.method == "HEAD");
        if (serves_method) co_return co_await route.handler(request, params);
        allowed.insert(route.method);
        if (route.method == "GET") allowed.insert("HEAD");
    }
    if (allowed.empty()) co_return json_response({{"status", 404}, {"error", "Not Found"}}, 404);
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ",") + method;
    Response response = json_response({{"status", 405}, {"error", "Method Not Allowed"}}, 405);
    response.headers.push_back({"Allow", allow});
    co_return response;
}

}  // namespace chapter09
