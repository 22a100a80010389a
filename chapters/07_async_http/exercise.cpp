// Chapter 07 exercise: your file. Make `./workbook check 07` green.
//
// fetch_one (TODO 07.1), then fetch_all (TODO 07.2) with it.
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 07`.
#include "exercise.hpp"

#include <asio/this_coro.hpp>

#include "workbook/github_async.hpp"
#include "workbook/task_group.hpp"
#include "workbook/todo.hpp"

namespace chapter07 {

asio::awaitable<workbook::FetchResult> fetch_one(workbook::http::Client& client,
                                                 const workbook::ApiConfig& api,
                                                 std::string full_name) {
    // TODO(07.1): co_await fetch_repo_async inside a try.
    (void)client, (void)api, (void)full_name;
    workbook::todo("07.1");
    co_return workbook::FetchResult{};  // never reached
}

asio::awaitable<std::vector<workbook::FetchResult>> fetch_all(const workbook::ApiConfig& api,
                                                              std::vector<std::string> names,
                                                              std::chrono::milliseconds timeout) {
    // TODO(07.2): one Client, one task per name, workbook::task_group.
    (void)api, (void)names, (void)timeout;
    workbook::todo("07.2");
    co_return std::vector<workbook::FetchResult>{};  // never reached
}

}  // namespace chapter07
