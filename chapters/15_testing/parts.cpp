// Chapter 15, given: the halves of fetch_all (parts.hpp).
#include "parts.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <stdexcept>

#include "workbook/async_semaphore.hpp"
#include "workbook/task_group.hpp"

namespace chapter15 {

asio::awaitable<void> asio_sleep(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace chapter15

namespace chapter15::parts {

// One fetch, raced against `sleep(timeout)`: whichever ends first cancels
// the other (a parallel group; see shared/core/include/workbook/timeout.hpp for why not
// operator||).
asio::awaitable<Result> fetch_one(std::string name, const Fetch& fetch,
                                  std::chrono::milliseconds timeout, const Sleep& sleep) {
    auto executor = co_await asio::this_coro::executor;
    auto [order, fetch_error, repo, sleep_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, fetch(name), asio::experimental::deferred),
            asio::co_spawn(executor, sleep(timeout), asio::experimental::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)sleep_error;
    if (order[0] == 1) {
        co_return Result{name, std::nullopt,
                         "timed out after " + std::to_string(timeout.count()) + " ms"};
    }
    if (fetch_error) {
        try {
            std::rethrow_exception(fetch_error);
        } catch (const std::exception& e) {
            co_return Result{name, std::nullopt, e.what()};
        }
    }
    co_return Result{name, std::move(repo), ""};
}

asio::awaitable<std::vector<Result>> at_most(std::vector<std::string> names, std::size_t limit,
                                             FetchOne one) {
    if (limit == 0) throw std::invalid_argument("fetch_all: a limit of 0 would fetch nothing");
    workbook::AsyncSemaphore slots(limit);
    std::vector<std::function<asio::awaitable<Result>()>> tasks;
    for (const std::string& name : names) {
        tasks.push_back([&, name]() -> asio::awaitable<Result> {
            auto slot = co_await slots.acquire();  // at most `limit` past this line
            co_return co_await one(name);
        });
    }
    // Every task starts at once; the results come back in the order of the
    // tasks, whatever order they end in.
    co_return co_await workbook::task_group(std::move(tasks));
}

}  // namespace chapter15::parts
