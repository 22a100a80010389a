// The C10K load tool as a program, for ./workbook bench c10k: chapter 16's
// hold_connections (chapters/16_c10k/load.hpp) against a server running in
// a process of its own, whose memory and CPU it reads from /proc.
//
// Usage: workbook-c10k --port P [--pid PID] [--connections N] [--path /]
//                      [--timeout MS] [--server NAME] [--json]
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "load.hpp"
#include "workbook/report.hpp"

namespace {

constexpr const char* usage =
    "usage: workbook-c10k --port P [--pid PID] [--connections N] [--path /] [--timeout MS] "
    "[--server NAME] [--json]";

// Two decimals is all a table needs; -1 (not measured) becomes null.
nlohmann::json rounded(double value) {
    if (value < 0) return nullptr;
    return std::round(value * 100) / 100;
}

}  // namespace

int main(int argc, char** argv) {
    return workbook::guarded_main([&] {
        chapter16::LoadOptions options;
        std::string server = "server";
        bool json = false;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "--json") {
                json = true;
            } else if (arg == "--port" && has_value) {
                options.port = static_cast<unsigned short>(std::stoi(argv[++i]));
            } else if (arg == "--pid" && has_value) {
                options.server_pid = std::stoi(argv[++i]);
            } else if (arg == "--connections" && has_value) {
                options.connections = std::stoi(argv[++i]);
            } else if (arg == "--path" && has_value) {
                options.path = argv[++i];
            } else if (arg == "--timeout" && has_value) {
                options.timeout = std::chrono::milliseconds(std::stol(argv[++i]));
            } else if (arg == "--server" && has_value) {
                server = argv[++i];
            } else {
                throw std::invalid_argument("unknown argument \"" + arg + "\"; " + usage);
            }
        }
        if (options.port == 0)
            throw std::invalid_argument(std::string("--port is needed; ") + usage);
        const chapter16::LoadReport report = chapter16::hold_connections(options);
        if (json) {
            std::cout << nlohmann::json{{"server", server},
                                        {"connections", report.connections},
                                        {"answered", report.answered},
                                        {"seconds", rounded(report.seconds)},
                                        {"kb_per_conn", rounded(report.kb_per_conn)},
                                        {"fresh_ms", rounded(report.fresh_ms)},
                                        {"cpu_us_per_request", rounded(report.cpu_us_per_request)}}
                             .dump()
                      << "\n";
        } else {
            std::cout << server << ": " << chapter16::describe(report) << "\n";
        }
        return 0;
    });
}
