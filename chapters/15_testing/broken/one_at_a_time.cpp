// Chapter 15, broken on purpose: every result right, in the right order,
// and one fetch at a time: a co_await in a loop is sequential. Only a test
// that looks at how many fetches were in flight at once tells.
#include "../parts.hpp"

namespace chapter15 {

asio::awaitable<std::vector<Result>> fetch_all(std::vector<std::string> names, Fetch fetch,
                                               std::size_t limit, std::chrono::milliseconds timeout,
                                               Sleep sleep) {
    (void)limit;  // the mistake: never more than one
    std::vector<Result> results;
    for (std::string& name : names)
        results.push_back(co_await parts::fetch_one(std::move(name), fetch, timeout, sleep));
    co_return results;
}

}  // namespace chapter15
