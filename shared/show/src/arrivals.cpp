#include "workbook/arrivals.hpp"

#include "workbook/step.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

namespace workbook {

namespace {

std::atomic<bool> showing{false};
std::atomic<std::chrono::steady_clock::rep> started{0};
std::atomic<std::chrono::steady_clock::rep> paused_at_start{0};  // a pause at a step is left out
std::atomic<pid_t> main_process{0};
std::atomic<int> threads_seen{0};
thread_local int this_thread_number = -1;  // -1: not numbered yet; 0: the main thread

std::string who() {
    if (::getpid() != main_process.load()) return "process " + std::to_string(::getpid());
    if (this_thread_number < 0) this_thread_number = ++threads_seen;
    return this_thread_number == 0 ? std::string("main thread")
                                   : "thread " + std::to_string(this_thread_number);
}

}  // namespace

void show_arrivals() {
    started = std::chrono::steady_clock::now().time_since_epoch().count();
    paused_at_start = time_paused().count();
    main_process = ::getpid();
    this_thread_number = 0;
    showing = true;
}

bool showing_arrivals() {
    return showing;
}

void report_arrival(std::string_view full_name, bool ok) {
    if (!showing) return;
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count() -
                     (time_paused().count() - paused_at_start.load());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::duration(now - started.load()))
                        .count();
    char line[256];
    const int n = std::snprintf(
        line, sizeof line, "  [%5lld ms] %-14s %.*s%s\n", static_cast<long long>(ms), who().c_str(),
        static_cast<int>(full_name.size()), full_name.data(), ok ? "" : "  (failed)");
    // Straight to the file descriptor, past std::cout's buffer: a forked
    // child's buffer would be lost at _exit, and one write() of a short
    // line is never split by another writer's.
    if (n > 0) {
        [[maybe_unused]] const auto written = ::write(
            STDOUT_FILENO, line, static_cast<std::size_t>(std::min<int>(n, sizeof line - 1)));
    }
}

}  // namespace workbook
