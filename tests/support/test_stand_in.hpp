// The GitHub stand-in for a test, on a free port, in one of two places:
//
//   TestStandIn s;                                  // in this process, on a thread of its own
//   TestStandIn s(quick({{"a/b", Fault::hang}}));   // ... with faults, 10 ms latency
//   TestStandIn s(TestStandIn::Process{{"--latency", "5"}});  // a process of its own
//
// A process of its own is for tests that fork (a fork next to an in-process
// server's thread can deadlock the child) or that count this process's
// sockets. Either way the test reads `s.api` and asks `s.stats()`.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/server_process.hpp"
#include "workbook/stand_in.hpp"

namespace workbook::testing {

inline StandInOptions quick(std::map<std::string, Fault> faults = {},
                            std::chrono::milliseconds latency = std::chrono::milliseconds(10)) {
    StandInOptions options;
    options.latency = latency;
    options.faults = std::move(faults);
    return options;
}

// "workbook-bench/repo-0" ... "workbook-bench/repo-{n-1}": repositories the
// stand-in makes up, as many as a test needs.
inline std::vector<std::string> bench_names(int n) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back("workbook-bench/repo-" + std::to_string(i));
    return names;
}

class TestStandIn {
  public:
    // In this process, plain HTTP or (tls) HTTPS with the workbook's CA.
    explicit TestStandIn(StandInOptions options = quick(), bool tls = false)
        : in_process_(std::make_unique<StandIn>(std::move(options))) {
        if (tls) {
            in_process_->listen_https();
            api = in_process_->https_api();
        } else {
            in_process_->listen_http();
            api = in_process_->http_api();
        }
        in_process_->start();
    }

    // The fake-github program, with more of its options: {"--latency", "200"}.
    struct Process {
        std::vector<std::string> args;
    };
    // As a process of its own: started with --port 0 --port-file, asked for
    // its statistics over HTTP, stopped with SIGTERM.
    explicit TestStandIn(Process process) : process_(std::make_unique<ServerProcess>("stand-in")) {
        const auto port_file = (process_->dir() / "port").string();
        std::vector<std::string> args = {WORKBOOK_FAKE_GITHUB, "--port",  "0",
                                         "--port-file",        port_file, "--quiet"};
        args.insert(args.end(), process.args.begin(), process.args.end());
        process_->start(args, [&] {
            unsigned short port = 0;
            std::ifstream in(port_file);
            in >> port;
            return port;
        });
        api.port = process_->port();
    }

    TestStandIn(const TestStandIn&) = delete;
    TestStandIn& operator=(const TestStandIn&) = delete;

    // Where the stand-in listens; what a client is given.
    ApiConfig api;

    // What the stand-in has seen since it started or was last reset.
    Stats stats() const { return in_process_ ? in_process_->stats() : read_stand_in_stats(api); }
    void reset_stats() const {
        if (in_process_) {
            in_process_->reset_stats();
        } else {
            reset_stand_in_stats(api);
        }
    }
    // The stand-in's process, or -1 when it runs in this one.
    pid_t pid() const { return process_ ? process_->pid() : -1; }

  private:
    std::unique_ptr<StandIn> in_process_;
    std::unique_ptr<ServerProcess> process_;
};

}  // namespace workbook::testing
