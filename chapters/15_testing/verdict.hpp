// Chapter 15, given: how your tests are judged. Your tests are built once
// per fetch_all (the correct one and each broken one), as programs named
// PREFIX + implementation; judge() runs one of them on one of your
// TEST_CASEs and says what happened. The checks (tests/chapter15_test.cpp)
// and the demo both use it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace chapter15 {

// The fetch_alls your tests are built against: "correct", then the broken
// ones, each with what it gets wrong.
struct Implementation {
    std::string name;  // "wrong_order": the program PREFIX + name, and broken/NAME.cpp
    std::string mistake;
};
const std::vector<Implementation>& implementations();

struct Verdict {
    enum class Outcome {
        passed,    // every test case that ran passed
        failed,    // a CHECK or REQUIRE failed (or a test threw)
        not_done,  // a TODO's workbook::todo() ran: not written yet
        no_test,   // no TEST_CASE matched: was its name changed?
        crashed,   // ended by a signal
        too_slow,  // still running after the time allowed
        missing,   // the program is not there (not built)
    };
    Outcome outcome;
    double seconds = 0;  // how long it ran
    std::string output;  // what it printed (stdout and stderr)
};

// Runs PREFIX + implementation with doctest's --test-case=FILTER, for at
// most `allowed`, and reads how it ended.
Verdict judge(const std::string& prefix, const std::string& implementation,
              const std::string& filter, std::chrono::seconds allowed);

// "passed", "caught", ... for a table.
std::string describe(Verdict::Outcome outcome);

}  // namespace chapter15
