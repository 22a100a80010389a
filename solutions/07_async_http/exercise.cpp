// Chapter 07 reference answer.
#include "exercise.hpp"

#include <asio/this_coro.hpp>

#include "workbook/github_async.hpp"
#include "workbook/task_group.hpp"

namespace chapter07 {

// [slide:fetch_one]
asio::awaitable<workbook::FetchResult> fetch_one(workbook::http::Client& client,
                                                 const workbook::ApiConfig& api,
                                                 std::string full_name) {
    workbook::FetchResult result{full_name, std::nullopt, {}};
    try {
        // While this waits for its answer, the loop runs every other fetch.
        result.info = co_await workbook::fetch_repo_async(client, api, full_name);
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    co_return result;
}
// [/slide]

// [slide:fetch_all_async]
asio::awaitable<std::vector<workbook::FetchResult>> fetch_all(const workbook::ApiConfig& api,
                                                              std::vector<std::string> names,
                                                              std::chrono::milliseconds timeout) {
    // One client, like one aiohttp.ClientSession: its pool opens a
    // connection for each request in flight and keeps them for reuse.
    workbook::http::ClientOptions options;
    options.connect_timeout = options.read_timeout = timeout;
    auto client = workbook::github_client(co_await asio::this_coro::executor, api, options);

    std::vector<std::function<asio::awaitable<workbook::FetchResult>()>> tasks;
    for (const auto& name : names) {
        tasks.push_back([&client, &api, name] { return fetch_one(client, api, name); });
    }
    // Start them all, then wait for all: every request is in flight at once.
    co_return co_await workbook::task_group(std::move(tasks));
}
// [/slide]

}  // namespace chapter07
