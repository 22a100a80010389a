// Chapter 15, given: what a test of coroutines needs, in the spirit of
// pytest-asyncio (which runs an `async def test_...` on an event loop for
// you). Three tools:
//   run(work)     the test's `await`: runs a coroutine to its end on a loop
//                 of its own, gives back its value or rethrows its
//                 exception, and gives up after a deadline of real time, so
//                 a test of code that hangs fails instead of hanging;
//   FakeTime      a clock that moves only when the test says: a 30 s timeout
//                 is tested in milliseconds;
//   FakeFetch    a Fetch that answers as the test arranges, and counts how
//                 many fetches were in flight at once.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fetch_all.hpp"
#include "workbook/run_with_deadline.hpp"

namespace chapter15 {

using workbook::DidNotFinish;

// Runs `work` on an io_context of its own until it ends, and returns its
// value or rethrows its exception. After `deadline` of real time, gives up
// and throws DidNotFinish (the loop, and `work` with it, is destroyed). It
// is workbook::run_with_deadline (shared/core/include/workbook/run_with_deadline.hpp),
// the same the workbook's own tests await with: read it, it is 20 lines.
template <class T>
T run(asio::awaitable<T> work, std::chrono::milliseconds deadline = std::chrono::seconds(3)) {
    return workbook::run_with_deadline(std::move(work), deadline,
                                       "something it waits for never happens (a fetch that "
                                       "hangs with no timeout, a FakeTime sleep nobody "
                                       "advances past)");
}

// Time that passes only in advance(). Give sleeper() to the code under test
// as its Sleep; then, while that code runs, co_await advance(d) from the
// test: every sleep that ends within d ends, at once.
class FakeTime {
  public:
    FakeTime();
    ~FakeTime();
    FakeTime(const FakeTime&) = delete;
    FakeTime& operator=(const FakeTime&) = delete;

    Sleep sleeper();

    // Lets everything that is ready run first (so the code under test gets
    // to its sleeps), moves time on by `by`, wakes every sleep that has
    // ended, and lets them run.
    asio::awaitable<void> advance(std::chrono::milliseconds by);

    std::chrono::milliseconds now() const;

  private:
    struct State;
    std::shared_ptr<State> state_;
};

// A Fetch that answers as a test arranges. Each fetch takes `delay` of real
// time (keep it short: tens of milliseconds), through a timer, so fetches
// overlap as real ones do. A name nobody arranged fails with "404 Not Found".
class FakeFetch {
  public:
    FakeFetch();
    ~FakeFetch();
    FakeFetch(const FakeFetch&) = delete;
    FakeFetch& operator=(const FakeFetch&) = delete;

    // `name` answers Repo{name, stars} after `delay`.
    void answer(const std::string& name, int stars,
                std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    // `name` throws std::runtime_error(message) after `delay`.
    void fail(const std::string& name, const std::string& message,
              std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    // `name` never answers; only a cancellation (a timeout) ends its fetch.
    void hang(const std::string& name);

    Fetch fetcher();  // for fetch_all; valid while this FakeFetch lives

    std::size_t requests() const;              // fetches started
    std::size_t max_in_flight() const;         // most fetches started and not ended, at once
    std::vector<std::string> started() const;  // the names, in the order their fetches began

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace chapter15
