// Chapter 15, broken on purpose: the results in the order the fetches END,
// not in the order of the names. Easy to write by accident (append each
// result as it arrives), and invisible in a test whose fetches all take
// the same time.
#include "../parts.hpp"

namespace chapter15 {

asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep) {
    std::vector<Result> arrived;
    co_await parts::at_most(
        std::move(names), limit, [&](std::string name) -> asio::awaitable<Result> {
            Result result = co_await parts::fetch_one(std::move(name), fetch, timeout, sleep);
            arrived.push_back(result);  // the mistake: as they end
            co_return result;
        });
    co_return arrived;
}

}  // namespace chapter15
