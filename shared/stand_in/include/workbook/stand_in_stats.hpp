// What the stand-in counts, for every reader of it: the tests, the timeline,
// the benchmarks, chapter 12's demo. The contract: a request is in flight
// from the moment its head is parsed until just before its response is
// written. GET /_stats returns
//   {"requests": N, "in_flight": N, "max_in_flight": N,
//    "log": [{"path": ..., "status": ..., "start_us": ..., "end_us": ...}, ...],
//    "log_truncated": false, "log_dropped": 0, "connections": N,
//    "cpu_us_per_request": X}
// and POST /_stats/reset clears it. Free of Asio and of the stand-in itself,
// so a reader includes only this.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workbook/github.hpp"

namespace workbook {

struct StatsEntry {
    std::string path;
    int status = 0;          // 0: never answered (a hang cut short by stop); 499: the client
                             // hung up before its answer (nginx's code), its handler cancelled
    long long start_us = 0;  // since the statistics were last reset
    long long end_us = 0;
};

struct Stats {
    long long requests = 0;
    long long in_flight = 0;
    long long max_in_flight = 0;
    std::vector<StatsEntry> log;  // the first max_log requests since the last reset
    long long log_dropped = 0;    // requests past max_log ("log_truncated": true in /_stats)
    long long connections = 0;  // open right now, idle ones too, not GET /_stats's own (not reset)
    // The stand-in process's CPU (user + system, all threads) per request
    // since the last reset, in microseconds; 0 before the first request.
    // Its own figure only when it runs as a process of its own.
    double cpu_us_per_request = 0;
};

std::string to_json(const Stats& stats);
// Reads what GET /_stats returns. Throws ParseError on anything else.
Stats stats_from_json(std::string_view json);

// The statistics of a stand-in that runs as a process of its own (the
// bench's, a test's), over HTTP: GET /_stats, and POST /_stats/reset. Throw
// std::runtime_error saying which stand-in could not be reached.
Stats read_stand_in_stats(const ApiConfig& api);
void reset_stand_in_stats(const ApiConfig& api);

}  // namespace workbook
