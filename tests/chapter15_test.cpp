// Chapter 15 specification: your tests (exercise.cpp) are judged by what
// they catch. Each of your TEST_CASEs must pass on the correct fetch_all
// and fail on the broken ones it is there for (exercise.hpp has the table),
// failing by a CHECK, not by a crash or a hang; the timeout test must also
// run without waiting for the real 30 s. Your tests are built once per
// fetch_all, as programs named $WORKBOOK_CH15_PROGRAMS + implementation
// (CTest sets it). Read it; do not edit it.
#include "support/doctest.hpp"

#include <cstdlib>
#include <string>

#include "verdict.hpp"

using chapter15::describe;
using chapter15::judge;
using chapter15::Verdict;
using Outcome = chapter15::Verdict::Outcome;

namespace {

std::string programs() {
    const char* prefix = std::getenv("WORKBOOK_CH15_PROGRAMS");
    REQUIRE_MESSAGE(prefix != nullptr,
                    "WORKBOOK_CH15_PROGRAMS is not set: run these checks through ctest "
                    "(./workbook check 15), which sets it");
    return prefix;
}

// Enough for any test here, however slow the machine or the sanitizer; a
// test that waits for a real 30 s timeout needs more, and is told so.
constexpr std::chrono::seconds allowed{20};

std::string last_lines(const std::string& output, std::size_t lines = 25) {
    std::size_t at = output.size();
    for (std::size_t n = 0; n < lines && at > 0; ++n) at = output.rfind('\n', at - 1);
    return output.substr(at == std::string::npos ? 0 : at);
}

// Your TEST_CASE `number` must pass on the correct fetch_all.
void passes_on_the_correct_one(const std::string& number) {
    const Verdict v = judge(programs(), "correct", number + " *", allowed);
    switch (v.outcome) {
        case Outcome::passed:
            return;
        case Outcome::not_done:
            FAIL("your test " << number << " is not written yet: TODO(" << number
                              << ") in chapters/15_testing/exercise.cpp");
            break;
        case Outcome::no_test:
            FAIL("no TEST_CASE named \"" << number
                                         << " ...\" in exercise.cpp: keep the stub's names");
            break;
        case Outcome::too_slow:
            FAIL("your test " << number << " ran for over " << allowed.count()
                              << " s on the correct fetch_all: does it wait for real time? "
                                 "A 30 s timeout is tested with FakeTime, in milliseconds");
            break;
        default:
            FAIL("your test " << number << " " << describe(v.outcome)
                              << " on the CORRECT fetch_all, so it cannot tell a broken one "
                                 "from it. Its output:"
                              << last_lines(v.output));
    }
}

// ... and fail, by a CHECK, on `broken`.
void catches(const std::string& number, const std::string& broken, const std::string& mistake) {
    passes_on_the_correct_one(number);
    const Verdict v = judge(programs(), broken, number + " *", allowed);
    switch (v.outcome) {
        case Outcome::failed:
            return;  // caught
        case Outcome::passed:
            FAIL("your test " << number << " passed on broken/" << broken << ".cpp (" << mistake
                              << "): it does not check that. ./workbook hint " << number);
            break;
        case Outcome::too_slow:
            FAIL("your test " << number << " hung on broken/" << broken << ".cpp (" << mistake
                              << ") instead of failing: await it with run(), whose deadline "
                                 "turns a hang into a failure");
            break;
        case Outcome::crashed:
            FAIL("your test " << number << " crashed on broken/" << broken << ".cpp (" << mistake
                              << ") instead of failing a CHECK: REQUIRE the size of the "
                                 "results before reading them. Its output:"
                              << last_lines(v.output));
            break;
        default:
            FAIL("your test " << number << " " << describe(v.outcome) << " on broken/" << broken
                              << ".cpp. Its output:" << last_lines(v.output));
    }
}

}  // namespace

TEST_CASE("15.1 your order test catches results in the order the fetches end") {
    catches("15.1", "wrong_order", "results in the order the fetches end");
}

TEST_CASE("15.2 your limit test catches one fetch more at once than the limit") {
    catches("15.2", "one_too_many", "one fetch more at once than the limit");
}

TEST_CASE("15.2 your limit test catches one fetch at a time") {
    catches("15.2", "one_at_a_time", "one fetch at a time, whatever the limit");
}

TEST_CASE("15.3 your error test catches an error that is lost") {
    catches("15.3", "lost_error", "a failed fetch's error is lost");
}

TEST_CASE("15.4 your timeout test catches a timeout that never fires") {
    catches("15.4", "no_timeout", "a fetch that hangs is never timed out");
}

TEST_CASE("15.4 your timeout test takes well under the timeout it tests") {
    // 30 s of real time would be over `allowed`; FakeTime makes it
    // milliseconds. The figure is generous: a sanitizer build is slow.
    const Verdict v = judge(programs(), "correct", "15.4 *", allowed);
    REQUIRE_MESSAGE(v.outcome == Outcome::passed,
                    "your test 15.4 " << describe(v.outcome) << " on the correct fetch_all");
    CHECK_MESSAGE(v.seconds < 10.0, "your test 15.4 took " << v.seconds
                                                           << " s: the timeout is 30 s; move "
                                                              "time with FakeTime instead");
}
