// What every demo does around its one idea: read its configuration, and
// print its results the same way, so `main.cpp` shows only what is new.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/github.hpp"

namespace workbook {

// api_config_from_env(), or nullopt after saying on stderr what is wrong.
std::optional<ApiConfig> api_config_or_report();

// argv[1] as a whole number from 1 to `max`, `fallback` when absent; nullopt
// after printing `usage` on stderr when it is anything else.
std::optional<int> count_argument(int argc, char** argv, int fallback, int max, std::string_view usage);

// Prints each repository (its line on stdout, or its error on stderr), the
// timing line, and how many failed. `note(i)`, when given, is appended to
// result i's line. Returns the exit code: 0 when every fetch succeeded.
int print_results(const std::vector<FetchResult>& results, std::chrono::duration<double> elapsed,
                  const std::function<std::string(std::size_t)>& note = {});

}  // namespace workbook
