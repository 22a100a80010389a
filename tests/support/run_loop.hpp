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

#include <doctest/doctest.h>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>

namespace workbook::testing {

template <class T>
T run_loop(asio::awaitable<T> coroutine,
           std::chrono::milliseconds deadline = std::chrono::seconds(20),
           const std::string& if_it_hangs = "it waits for something that never happens") {
    asio::io_context loop(1);
    std::optional<T> result;
    std::exception_ptr error;
    bool finished = false;
    asio::co_spawn(loop, std::move(coroutine), [&](std::exception_ptr e, T value) {
        finished = true;
        error = e;
        if (!e) result = std::move(value);
        loop.stop();  // done: whatever else is still pending (idle connections) is not ours to wait
                      // for
    });
    loop.run_for(deadline);
    if (error) std::rethrow_exception(error);
    REQUIRE_MESSAGE(finished, "the coroutine had not finished after " << deadline.count()
                                                                      << " ms: " << if_it_hangs);
    return std::move(*result);
}

}  // namespace workbook::testing
