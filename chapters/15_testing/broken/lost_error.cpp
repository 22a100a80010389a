// Chapter 15, broken on purpose: a fetch that fails gives a Result with no
// repository and no error either, as if its exception were caught and
// forgotten. Invisible to a test that only checks the successes.
#include "../parts.hpp"

namespace chapter15 {

asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep) {
    co_return co_await parts::at_most(
        std::move(names), limit, [&](std::string name) -> asio::awaitable<Result> {
            Result result = co_await parts::fetch_one(std::move(name), fetch, timeout, sleep);
            result.error.clear();  // the mistake
            co_return result;
        });
}

}  // namespace chapter15
