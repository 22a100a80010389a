// Chapter 08, given code: chapter 07's fetch_all, with one semaphore for the
// batch. The three TODOs of exercise.cpp are what makes it bounded, timed
// and cancellable.
#include <asio/this_coro.hpp>
#include <functional>

#include "exercise.hpp"
#include "workbook/github_async.hpp"
#include "workbook/task_group.hpp"

namespace chapter08 {

// [slide:fetch_all_bounded]
asio::awaitable<std::vector<workbook::FetchResult>> fetch_all(const workbook::ApiConfig& api,
                                                              std::vector<std::string> names,
                                                              std::size_t limit,
                                                              std::chrono::milliseconds timeout) {
    AsyncSemaphore slots(limit);
    auto client = workbook::github_client(co_await asio::this_coro::executor, api);
    std::vector<std::function<asio::awaitable<workbook::FetchResult>()>> tasks;
    for (const auto& name : names) {
        tasks.push_back([&slots, &client, &api, name, timeout] {
            return fetch_one(slots, client, api, name, timeout);
        });
    }
    // Every task starts now, as in chapter 07; all but `limit` of them wait
    // at acquire(), costing a suspended coroutine each and no socket.
    co_return co_await workbook::task_group(std::move(tasks));
}
// [/slide]

}  // namespace chapter08
