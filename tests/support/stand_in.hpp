// The GitHub stand-in for a test: in this process, on its own thread, on a
// free port, with a short latency unless told otherwise.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "workbook/fake_github.hpp"

namespace workbook::testing {

inline FakeGithubOptions quick(std::map<std::string, Fault> faults = {},
                               std::chrono::milliseconds latency = std::chrono::milliseconds(10)) {
    FakeGithubOptions options;
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

struct StandIn {
    FakeGithub server;
    ApiConfig api;
    explicit StandIn(FakeGithubOptions options = quick(), bool tls = false)
        : server(std::move(options)) {
        if (tls) {
            server.listen_https();
            api = server.https_api();
        } else {
            server.listen_http();
            api = server.http_api();
        }
        server.start();
    }
};

}  // namespace workbook::testing
