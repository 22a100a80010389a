// Chapter 15, broken on purpose: the timeout is never started, so a fetch
// that hangs hangs the batch. Invisible to a test without a fetch that
// hangs; and a test that waits for the real 30 s to prove the timeout would
// be too slow to run.
#include <exception>

#include "../parts.hpp"

namespace chapter15 {

namespace {

asio::awaitable<Result> fetch_without_timeout(std::string name, const Fetch& fetch) {
    std::string error;
    try {
        Repo repo = co_await fetch(name);  // the mistake: no race with sleep
        co_return Result{name, std::move(repo), ""};
    } catch (const std::exception& e) {
        error = e.what();
    }
    co_return Result{name, std::nullopt, error};
}

}  // namespace

asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep) {
    (void)timeout, (void)sleep;
    co_return co_await parts::at_most(std::move(names), limit, [&](std::string name) {
        return fetch_without_timeout(std::move(name), fetch);
    });
}

}  // namespace chapter15
