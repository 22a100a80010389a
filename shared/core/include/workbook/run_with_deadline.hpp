// A coroutine run to its end on an event loop of its own, with a deadline of
// real time: how a test awaits (chapter 15 teaches it; the workbook's own
// tests use it through tests/support/run_loop.hpp). Code that hangs makes
// the test fail with a message instead of hanging it until ctest's timeout.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace workbook {

// The coroutine given to run_with_deadline had not ended at its deadline.
class DidNotFinish : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Runs `work` on a new io_context until it ends, and returns its value or
// rethrows its exception. After `deadline` of real time it gives up: the
// loop is destroyed (and `work` with it, wherever it waits), and it throws
// DidNotFinish, whose what() ends with `if_it_hangs`: what probably hangs.
// Work that `work` started and did not wait for is not waited for either.
template <class T>
T run_with_deadline(asio::awaitable<T> work, std::chrono::milliseconds deadline,
                    const std::string& if_it_hangs) {
    asio::io_context loop(1);
    std::optional<T> value;
    std::exception_ptr error;
    bool done = false;
    asio::co_spawn(loop, std::move(work), [&](std::exception_ptr e, T v) {
        done = true;
        error = e;
        if (!e) value = std::move(v);
        loop.stop();  // done: whatever else is pending (idle connections) is not ours to wait for
    });
    loop.run_for(deadline);
    if (error) std::rethrow_exception(error);
    if (!done) {
        throw DidNotFinish("the coroutine did not finish within " +
                           std::to_string(deadline.count()) + " ms of real time: " + if_it_hangs);
    }
    return std::move(*value);
}

}  // namespace workbook
