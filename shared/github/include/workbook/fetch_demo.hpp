// What the demos that fetch repositories share (chapters 01 to 04, 07, 08,
// 12): the API from the environment, a count from argv[1], and the results
// printed one way, so each `main.cpp` shows only its model of concurrency.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/github.hpp"
#include "workbook/report.hpp"

namespace workbook {

// api_config_from_env(), or nullopt after saying on stderr what is wrong.
std::optional<ApiConfig> api_config_or_report();

// What chapters 02, 03, 04 and 08 take as argv[1]: a count, with its default,
// its maximum and the usage line printed when it is anything else.
struct CountArgument {
    int fallback;
    int max;
    std::string_view usage;
};

// The preamble those demos share, then guarded_main: reads the API from the
// environment and argv[1] as a count; exit code 2 after a message when either
// is wrong, else body(api, count).
int demo_main(int argc, char** argv, const CountArgument& count,
              const std::function<int(const ApiConfig&, int)>& body);

// The same for a demo with no count (chapters 01 and 07).
int demo_main(const std::function<int(const ApiConfig&)>& body);

// Prints each repository (its line on stdout, or its error on stderr), the
// timing line, and how many failed. `note(i)`, when given, is appended to
// result i's line. Returns the exit code: 0 when every fetch succeeded.
int print_results(const std::vector<FetchResult>& results, std::chrono::duration<double> elapsed,
                  const std::function<std::string(std::size_t)>& note = {});

}  // namespace workbook
