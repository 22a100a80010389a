// Runs `body(client)` on a fresh event loop (run_loop.hpp) with an
// asynchronous client made for the GitHub API `api` (github_client), and
// hands back what the body returns. The client is a local of the coroutine,
// so its idle connections close when the body ends.
//
//   auto info = run_client<RepoInfo>(s.api, [&](workbook::http::Client& c) {
//       return workbook::fetch_repo_async(c, s.api, "fmtlib/fmt");
//   });
#pragma once

#include <asio/awaitable.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <string>

#include "run_loop.hpp"
#include "workbook/github_async.hpp"

namespace workbook::testing {

template <class T, class Body>
T run_client(const ApiConfig& api, Body body, http::ClientOptions options = {},
             std::chrono::milliseconds deadline = std::chrono::seconds(10),
             const std::string& if_it_hangs = "the client waits for an answer that never comes") {
    return run_loop(
        [&]() -> asio::awaitable<T> {
            auto client = github_client(co_await asio::this_coro::executor, api, options);
            co_return co_await body(client);
        }(),
        deadline, if_it_hangs);
}

}  // namespace workbook::testing
