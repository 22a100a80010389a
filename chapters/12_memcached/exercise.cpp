// Chapter 12 exercise: your file. Make `./workbook check 12` green.
//
// cached_repo (TODO 12.1), then RepoCache::get (TODO 12.2) on top of it.
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 12`.
#include "exercise.hpp"

#include <asio/this_coro.hpp>

#include "workbook/github_async.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/todo.hpp"
#include "workbook/transport_error.hpp"

namespace chapter12 {

asio::awaitable<workbook::RepoInfo> cached_repo(workbook::memcached::Client& cache,
                                                workbook::http::Client& github,
                                                const workbook::ApiConfig& api,
                                                std::string full_name, std::chrono::seconds ttl) {
    // TODO(12.1): cache.get(cache_key(full_name)); a hit is parse_repo_info;
    // a miss (or a cache that fails) fetches with workbook::fetch_repo_async
    // and stores workbook::to_json(info) for `ttl`.
    (void)cache, (void)github, (void)api, (void)full_name, (void)ttl;
    workbook::todo("12.1");
    co_return workbook::RepoInfo{};  // never reached
}

asio::awaitable<workbook::RepoInfo> RepoCache::get(std::string full_name) {
    // TODO(12.2): a Flight under way for full_name? wait on its `done` and
    // take its outcome. Else start one: flights_, cached_repo, erase, wake.
    (void)full_name;
    workbook::todo("12.2");
    co_return workbook::RepoInfo{};  // never reached
}

}  // namespace chapter12
