// What every demo does around its one idea: read its arguments, and end the
// same way whatever happens, so `main.cpp` shows only what is new. The
// fetching demos' own preamble and results are in fetch_demo.hpp.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace workbook {

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

// Says that the lines of arrivals.hpp follow, and turns them on: each
// result printed the moment it arrives, with who fetched it. A demo calls
// it just before it fetches, then prints the results again in the order
// asked for.
void announce_arrivals();

}  // namespace workbook
