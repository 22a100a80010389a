// Chapter 12 reference answer.
#include "exercise.hpp"

#include <asio/this_coro.hpp>

#include "workbook/github_async.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/transport_error.hpp"

namespace chapter12 {

// [slide:cache_aside]
asio::awaitable<workbook::RepoInfo> cached_repo(workbook::memcached::Client& cache,
                                                workbook::http::Client& github,
                                                const workbook::ApiConfig& api,
                                                std::string full_name, std::chrono::seconds ttl) {
    const std::string key = cache_key(full_name);
    bool cache_up = true;
    try {
        if (const auto hit = co_await cache.get(key))
            co_return workbook::parse_repo_info(hit->value);
    } catch (const workbook::TransportError&) {
        cache_up = false;  // memcached is down: slower, not wrong
    } catch (const workbook::ParseError&) {
        // Not a repository's JSON (another program's key, an older
        // format): a miss, and the fresh answer replaces it below.
    }
    // A miss. The API's own errors leave from here, and nothing is stored.
    auto info = co_await workbook::fetch_repo_async(github, api, full_name);
    if (cache_up) {
        try {
            co_await cache.set(key, workbook::to_json(info), ttl, 0);
        } catch (const workbook::TransportError&) {
            // Gone since the get: the answer is still good.
        }
    }
    co_return info;
}
// [/slide]

// [slide:single_flight]
asio::awaitable<workbook::RepoInfo> RepoCache::get(std::string full_name) {
    if (const auto found = flights_.find(full_name); found != flights_.end()) {
        // Someone is fetching it: wait for them. The shared_ptr keeps the
        // Flight alive after its lookup has taken it out of the map.
        const auto flight = found->second;
        co_await flight->done.async_wait(workbook::nothrow);
        if (flight->error) std::rethrow_exception(flight->error);
        if (!flight->info)
            throw asio::system_error(asio::error::operation_aborted);  // we were cancelled
        co_return *flight->info;
    }
    auto flight = std::make_shared<Flight>(co_await asio::this_coro::executor);
    flights_.emplace(full_name, flight);
    try {
        flight->info = co_await cached_repo(cache_, github_, api_, full_name, ttl_);
    } catch (...) {
        flight->error = std::current_exception();
    }
    // Out of the map before waking anyone: a call from now on starts afresh.
    flights_.erase(full_name);
    flight->done.cancel();
    if (flight->error) std::rethrow_exception(flight->error);
    co_return *flight->info;
}
// [/slide]

}  // namespace chapter12
