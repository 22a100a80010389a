// with_timeout: run one coroutine, and cancel it if it has not finished in
// time (Python's asyncio.wait_for). Chapter 08 puts one around every request.
//
// How: the coroutine and a timer are started together as a parallel group
// that waits for whichever ends first and cancels the other. The group
// returns only once both have ended, so a cancelled request has really
// stopped (its socket closed) before with_timeout throws.
//
// Why not `co_await (work() || timer.async_wait(...))`: Asio 1.22's awaitable
// operator|| waits for the first *success*, so a request that fails at once
// (connection refused) would wait for the whole timeout before reporting.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

namespace workbook {

// The coroutine given to with_timeout did not finish in time. what():
// "no answer within 300 ms".
class TimeoutError : public std::runtime_error {
  public:
    explicit TimeoutError(std::chrono::milliseconds limit)
        : std::runtime_error("no answer within " + std::to_string(limit.count()) + " ms"),
          limit_(limit) {}
    std::chrono::milliseconds limit() const { return limit_; }

  private:
    std::chrono::milliseconds limit_;
};

// `work`'s value or exception if it ends within `limit`; TimeoutError if not.
// If with_timeout itself is cancelled, so is `work`, and with_timeout throws
// asio::system_error(operation_aborted). T must be default-constructible.
template <class T>
asio::awaitable<T> with_timeout(asio::awaitable<T> work, std::chrono::milliseconds limit) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, limit);
    auto [order, work_error, value, timer_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, std::move(work), asio::experimental::deferred),
            timer.async_wait(asio::experimental::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    // Cancelled ourselves (Ctrl-C in chapter 08): that is the answer, however
    // the work ended once it was cancelled too.
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
        throw asio::system_error(asio::error::operation_aborted);
    }
    if (order[0] == 0) {  // the work ended first, well or badly
        if (work_error) std::rethrow_exception(work_error);
        co_return std::move(value);
    }
    (void)timer_error;  // the timer expired: nobody else cancels it
    throw TimeoutError(limit);
}

}  // namespace workbook
