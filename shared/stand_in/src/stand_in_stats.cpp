// The statistics as JSON, both ways, and the one reader of a stand-in's
// statistics over HTTP, for the programs that run it as a process of their
// own (the bench, the tests that fork).
#include "workbook/stand_in_stats.hpp"

#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "workbook/blocking_client.hpp"

namespace workbook {

using json = nlohmann::json;

namespace {

// A logged path as JSON can carry it: a client may send any byte in a
// path (a raw 0xE9), and JSON holds UTF-8 only. Bytes outside printable
// ASCII are written as %XX, as they would be on the wire.
std::string loggable(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (const unsigned char c : path) {
        if (c > 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            static constexpr char digits[] = "0123456789ABCDEF";
            out += {'%', digits[c >> 4], digits[c & 15]};
        }
    }
    return out;
}

}  // namespace

std::string to_json(const Stats& stats) {
    json log = json::array();
    for (const auto& e : stats.log) {
        log.push_back({{"path", loggable(e.path)},
                       {"status", e.status},
                       {"start_us", e.start_us},
                       {"end_us", e.end_us}});
    }
    return json{{"requests", stats.requests},
                {"in_flight", stats.in_flight},
                {"max_in_flight", stats.max_in_flight},
                {"log", std::move(log)},
                {"log_truncated", stats.log_dropped > 0},
                {"log_dropped", stats.log_dropped},
                {"connections", stats.connections},
                {"cpu_us_per_request", std::round(stats.cpu_us_per_request * 10) / 10}}
        .dump();
}

Stats stats_from_json(std::string_view text) {
    const auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw ParseError("the statistics are not a JSON object");
    try {
        Stats stats;
        stats.requests = j.at("requests").get<long long>();
        stats.in_flight = j.at("in_flight").get<long long>();
        stats.max_in_flight = j.at("max_in_flight").get<long long>();
        stats.connections = j.value("connections", 0LL);
        stats.cpu_us_per_request = j.value("cpu_us_per_request", 0.0);
        for (const auto& e : j.at("log")) {
            stats.log.push_back({e.at("path").get<std::string>(), e.at("status").get<int>(),
                                 e.at("start_us").get<long long>(),
                                 e.at("end_us").get<long long>()});
        }
        stats.log_dropped = j.value("log_dropped", 0LL);  // absent from an older stand-in
        return stats;
    } catch (const json::exception& e) {
        throw ParseError(std::string("the statistics are not what /_stats returns: ") + e.what());
    }
}

Stats read_stand_in_stats(const ApiConfig& api) {
    auto client = make_blocking_client(api);
    const auto result = client->Get("/_stats");
    if (!result || result->status != 200) {
        throw std::runtime_error("cannot read the statistics of the stand-in at " +
                                 api.origin().to_string() + " (GET /_stats): is it running?");
    }
    return stats_from_json(result->body);
}

void reset_stand_in_stats(const ApiConfig& api) {
    auto client = make_blocking_client(api);
    const auto result = client->Post("/_stats/reset");
    if (!result || result->status != 200) {
        throw std::runtime_error("cannot reset the statistics of the stand-in at " +
                                 api.origin().to_string() +
                                 " (POST /_stats/reset): is it running?");
    }
}

}  // namespace workbook
