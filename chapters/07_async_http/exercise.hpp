// Chapter 07 exercise: every repository at once, on one thread.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "workbook/github.hpp"

namespace workbook::http {
class Client;
}

namespace chapter07 {

// TODO(07.1): fetch one repository with `client` (workbook::fetch_repo_async,
// in workbook/github_async.hpp) and return its FetchResult: the info, or the
// error's message. It never throws, so one failure cannot end a whole batch.
asio::awaitable<workbook::FetchResult> fetch_one(workbook::http::Client& client,
                                                 const workbook::ApiConfig& api,
                                                 std::string full_name);

// TODO(07.2): fetch every repository at the same time on this coroutine's
// loop: one client for all of them (workbook::github_client(co_await
// asio::this_coro::executor, api, options), with `timeout` as the options'
// connect and read timeouts), one fetch_one task per name, all started before
// any is awaited (workbook::task_group does that), results in the order of
// `names`.
asio::awaitable<std::vector<workbook::FetchResult>> fetch_all(
    const workbook::ApiConfig& api, std::vector<std::string> names,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace chapter07
