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
std::optional<int> count_argument(int argc, char** argv, int fallback, int max,
                                  std::string_view usage);

// The skeleton of every demo's main(): runs `body` and ends the program well
// whatever it throws. An exception becomes one line on stderr saying what
// happened and what to do, and exit code 1; an unsolved exercise
// (workbook::todo) says which TODO and how to run the reference instead.
// Never std::terminate in front of a learner.
int guarded_main(const std::function<int()>& body);

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

// Says that the lines of arrivals.hpp follow, and turns them on: each
// repository printed the moment it arrives, with who fetched it. A demo
// calls it just before it fetches; print_results then gives the same
// results again in the order asked for.
void announce_arrivals();

// Prints each repository (its line on stdout, or its error on stderr), the
// timing line, and how many failed. `note(i)`, when given, is appended to
// result i's line. Returns the exit code: 0 when every fetch succeeded.
int print_results(const std::vector<FetchResult>& results, std::chrono::duration<double> elapsed,
                  const std::function<std::string(std::size_t)>& note = {});

}  // namespace workbook
