// Chapter 15, broken on purpose: one fetch more at once than the limit
// allows (an off-by-one: the kind of mistake that "<= limit" for "< limit"
// makes). Invisible in a test with fewer names than the limit.
#include "../parts.hpp"

namespace chapter15 {

asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep) {
    co_return co_await parts::at_most(
        std::move(names), limit + 1,  // the mistake: + 1
        [&](std::string name) { return parts::fetch_one(std::move(name), fetch, timeout, sleep); });
}

}  // namespace chapter15
