// Runs one coroutine on a fresh single-threaded event loop, with a deadline,
// and hands back its value or throws its exception. A coroutine that never
// finishes fails the test when the deadline passes instead of hanging it,
// with `if_it_hangs`: what a learner's code probably does wrong then.
//
// run_for can only notice the deadline when the loop gets control back: a
// coroutine that blocks the thread itself (sleep_for, a std::mutex, a
// blocking read) is caught by the test main's watchdog instead
// (tests/support/test_main.cpp).
#pragma once

#include "support/doctest.hpp"

#include "workbook/run_with_deadline.hpp"

#include <chrono>
#include <string>

namespace workbook::testing {

template <class T>
T run_loop(asio::awaitable<T> coroutine,
           std::chrono::milliseconds deadline = std::chrono::seconds(20),
           const std::string& if_it_hangs = "it waits for something that never happens") {
    try {
        return workbook::run_with_deadline(std::move(coroutine), deadline, if_it_hangs);
    } catch (const workbook::DidNotFinish& e) {
        FAIL(std::string(e.what()));  // the text: what the coroutine probably waits for
        throw;                        // FAIL ends the test case; never reached
    }
}

}  // namespace workbook::testing
