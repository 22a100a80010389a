// Chapter 15, given: fetch_all as it should be. Each file in broken/ is the
// same function with one mistake; your tests must pass on this one and fail
// on each of those.
#include "parts.hpp"

namespace chapter15 {

asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep) {
    co_return co_await parts::at_most(std::move(names), limit, [&](std::string name) {
        return parts::fetch_one(std::move(name), fetch, timeout, sleep);
    });
}

}  // namespace chapter15
