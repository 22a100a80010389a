// The test main's watchdog (tests/support/test_main.cpp) ends a test case
// that blocks its thread for too long, and says what probably blocks. A
// test that knows the likely mistake better than the usual list says it:
//
//     workbook::testing::if_it_hangs("close() woke one worker only: notify_all");
#pragma once

#include <chrono>
#include <string>

namespace workbook::testing {

// Replaces the watchdog's guess for the test case that runs now and, when
// `limit` is given, ends that test sooner: after `limit` from now.
void if_it_hangs(const std::string& what_probably_blocks,
                 std::chrono::seconds limit = std::chrono::seconds(0));

}  // namespace workbook::testing
