#include "workbook/http_message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace workbook::http {

bool equal_nocase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string_view find_header(const std::vector<Header>& headers, std::string_view name) {
    for (const auto& h : headers) {
        if (equal_nocase(h.name, name)) return h.value;
    }
    return {};
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 413:
            return "Content Too Large";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

std::string http_date(std::chrono::system_clock::time_point when) {
    // By hand rather than strftime, whose day and month names follow the
    // locale: HTTP wants these English ones whatever the machine speaks.
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return text;
}

bool status_has_body(int status) {
    return status >= 200 && status != 204 && status != 304;
}

void render_response(std::string& out, const Response& res, bool keep_alive, std::string_view date,
                     std::size_t body_bytes) {
    using namespace std::string_view_literals;  // lengths known when compiled, no strlen()
    const auto number = [&out](std::size_t n) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
        out.append(digits, end);
    };
    std::size_t size = 128 + body_bytes;
    for (const auto& h : res.headers) size += h.name.size() + h.value.size() + 4;
    out.reserve(out.size() + size);
    out += "HTTP/1.1 "sv;
    number(static_cast<std::size_t>(res.status));
    out += ' ';
    out += reason_phrase(res.status);
    out += "\r\nDate: "sv;
    out += date;
    out += "\r\n"sv;
    for (const auto& h : res.headers) {
        out += h.name;
        out += ": "sv;
        out += h.value;
        out += "\r\n"sv;
    }
    if (status_has_body(res.status)) {
        out += "Content-Length: "sv;
        number(res.body.size());
        out += "\r\n"sv;
    }
    out += keep_alive ? "Connection: keep-alive\r\n\r\n"sv : "Connection: close\r\n\r\n"sv;
    out.append(res.body.data(), body_bytes);
}

Response handler_threw(std::string_view what) {
    Response res;
    res.status = 500;
    res.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
    res.body = nlohmann::json{{"status", 500},
                              {"error", "Internal Server Error"},
                              {"detail", "the handler threw: " + std::string(what)}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return res;
}

std::string printable(std::string_view text) {
    std::string out;
    for (const unsigned char c : text.substr(0, 200)) {
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            static constexpr char digits[] = "0123456789ABCDEF";
            out += {'\\', 'x', digits[c >> 4], digits[c & 15]};
        }
    }
    if (text.size() > 200) out += "...";
    return out;
}

}  // namespace workbook::http
