// The main() of every chapter's test program, with two guards a plain
// doctest main lacks:
//
// - doctest exits 0 when a --test-case filter matches nothing, so a renamed
//   test would "pass" without running; here that is a failure with a message.
// - A watchdog. A test whose code blocks its own thread (sleep_for inside a
//   coroutine, a condition variable nobody notifies, a join() on a worker
//   that never ends, a read from a pipe whose write end is still open) can
//   never reach its own deadline check. The watchdog thread notices that the
//   current test case has run too long, says which test and what probably
//   blocks, and ends the process before ctest's bare timeout does.
#define DOCTEST_CONFIG_IMPLEMENT
#include "support/doctest.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "watchdog.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// What the watchdog knows of the test case that runs now.
struct Current {
    std::mutex mutex;
    std::string name;  // empty between test cases
    std::string if_it_hangs;
    Clock::time_point started;
    std::chrono::seconds limit{0};  // 0: the default limit
};
Current current;

// WORKBOOK_TEST_SLOWDOWN (the sanitizer presets set it): a factor for the
// limits that tests set themselves.
int slowdown() {
    if (const char* text = std::getenv("WORKBOOK_TEST_SLOWDOWN")) {
        const long factor = std::strtol(text, nullptr, 10);
        if (factor > 0 && factor < 100) return static_cast<int>(factor);
    }
    return 1;
}

std::chrono::seconds watchdog_limit() {
    // Below the 60 s TIMEOUT that CTest gives every test case.
    if (const char* text = std::getenv("WORKBOOK_TEST_WATCHDOG_S")) {
        const long seconds = std::strtol(text, nullptr, 10);
        if (seconds > 0) return std::chrono::seconds(seconds);
    }
    return std::chrono::seconds(50);
}

// Ends the processes this one started (a stand-in of its own, forked
// workers): _Exit runs no destructor that would. Linux lists each thread's
// children in /proc; elsewhere there is nothing to read and nothing is done.
void kill_children() {
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
        std::ifstream children(task.path() / "children");
        for (pid_t child; children >> child;) ::kill(child, SIGKILL);
    }
}

void watch() {
    const auto default_limit = watchdog_limit();
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::lock_guard lock(current.mutex);
        const auto limit = current.limit.count() > 0 ? current.limit : default_limit;
        if (current.name.empty() || Clock::now() - current.started < limit) continue;
        std::fflush(stdout);
        std::fprintf(
            stderr,
            "\nThe test \"%s\" has not finished after %lld s: something blocks or waits for ever.\n"
            "Probably: %s\n",
            current.name.c_str(), static_cast<long long>(limit.count()),
            current.if_it_hangs.c_str());
        std::fflush(stderr);
        kill_children();
        std::_Exit(1);  // no destructors: they may wait on the very thing that hangs
    }
}

constexpr const char* usual_suspects =
    "a blocking call where the loop's thread must stay free (std::this_thread::sleep_for or a blocking "
    "client inside a coroutine), a wait on a condition variable that nobody notifies or that has no "
    "predicate, a join() on a worker that never ends, or a read from a pipe whose write end is still "
    "open somewhere";

struct RunCounter : doctest::IReporter {
    static inline bool finished = false;
    static inline unsigned selected = 0;

    explicit RunCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        finished = true;
        selected = stats.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData& data) override {
        std::lock_guard lock(current.mutex);
        current.name = data.m_name;
        current.if_it_hangs = usual_suspects;
        current.started = Clock::now();
        current.limit = std::chrono::seconds(0);
    }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {
        std::lock_guard lock(current.mutex);
        current.name.clear();
    }
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("run-counter", 1, RunCounter);

}  // namespace

namespace workbook::testing {

void if_it_hangs(const std::string& what_probably_blocks, std::chrono::seconds limit) {
    std::lock_guard lock(current.mutex);
    current.if_it_hangs = what_probably_blocks;
    if (limit.count() > 0) {
        // Counted from now; a sanitizer's slowdown is allowed for by the
        // multiplier the sanitizer presets set.
        current.started = Clock::now();
        current.limit = limit * slowdown();
    }
}

}  // namespace workbook::testing

int main(int argc, char** argv) {
    std::thread(watch).detach();
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) return result;
    if (RunCounter::finished && RunCounter::selected == 0) {
        std::fprintf(stderr, "no test case matched the filter: nothing was tested\n");
        return 1;
    }
    return result;
}
