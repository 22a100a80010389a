// Chapter 10, reference answer: the routes of chapter 09 with cpp-httplib's
// handlers, and its 404s turned into chapter 09's JSON 404 and 405.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "exercise.hpp"
#include "workbook/utf8.hpp"

namespace chapter10 {

namespace {

constexpr const char* json_type = "application/json; charset=utf-8";

// {"status": 404, "error": "Not Found"}, with "detail" when there is one.
void json_error(httplib::Response& res, int status, const char* error,
                const std::string& detail = {}) {
    nlohmann::json body{{"status", status}, {"error", error}};
    if (!detail.empty()) body["detail"] = detail;
    res.status = status;
    res.set_content(body.dump(), json_type);
}

}  // namespace

void add_routes(httplib::Server& server) {
    // [slide:httplib_routes]
    server.Get(app_routes[0].pattern, [](const httplib::Request&, httplib::Response& res) {
        res.set_content(nlohmann::json{{"message", "Hello World"}}.dump(), json_type);
    });
    server.Get(app_routes[1].pattern, [](const httplib::Request& req, httplib::Response& res) {
        const std::string name = req.matches[1];
        // cpp-httplib decodes %E9 into the byte 0xE9, which JSON cannot
        // carry (dump() would throw): the client's bytes, the client's 400.
        if (const std::string why = workbook::utf8_problem(name); !why.empty())
            return json_error(res, 400, "Bad Request", "the name is not UTF-8: " + why);
        res.set_content(nlohmann::json{{"message", "Hello, " + name}}.dump(), json_type);
    });
    // [/slide]
}

void add_json_errors(httplib::Server& server) {
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (res.status != 404) return;  // cpp-httplib's other refusals stay as they are
        std::set<std::string> allowed;
        for (const RouteInfo& route : app_routes) {
            if (!std::regex_match(req.path, std::regex(route.pattern))) continue;
            allowed.insert(route.method);
            if (std::string(route.method) == "GET") allowed.insert("HEAD");
        }
        if (allowed.empty()) return json_error(res, 404, "Not Found");
        std::string allow;
        for (const auto& method : allowed) allow += (allow.empty() ? "" : ",") + method;
        json_error(res, 405, "Method Not Allowed");
        res.set_header("Allow", allow);
    });
}

}  // namespace chapter10
