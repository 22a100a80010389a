// Chapter 12 exercise: a cache in front of the GitHub API, and one fetch
// per repository however many coroutines ask for it at once.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "workbook/github.hpp"
#include "workbook/memcached.hpp"

namespace workbook::http {
class Client;
}

namespace chapter12 {

// Given: where a repository's info is kept in memcached.
inline std::string cache_key(std::string_view full_name) {
    return "repo:" + std::string(full_name);
}

// TODO(12.1): cache-aside ("lazy loading"): the repository's info from
// memcached when it has it, else from the API, then kept in memcached for
// `ttl` so the next lookup is a hit.
// - The cached value is the info as JSON: workbook::to_json(info) to store,
//   workbook::parse_repo_info(text) to read back.
// - A cache is only a shortcut, never the truth: when memcached cannot be
//   reached (workbook::TransportError from `cache`), or holds a value that
//   is not a repository's JSON (workbook::ParseError), the lookup goes to
//   the API as on a miss, and still returns the info.
// - The API's own failures (workbook::FetchError: 404, 401, ...) are thrown
//   as they are, and nothing is stored for them.
asio::awaitable<workbook::RepoInfo> cached_repo(workbook::memcached::Client& cache,
                                                workbook::http::Client& github,
                                                const workbook::ApiConfig& api,
                                                std::string full_name, std::chrono::seconds ttl);

// cached_repo for many coroutines at once, without a stampede. When ten
// coroutines ask for the same repository while memcached does not have it,
// cached_repo alone sends ten requests to the API (each sees the miss before
// any has stored the answer): a "cache stampede". RepoCache lets the first
// one fetch, and the others wait for its answer.
//
// Not thread-safe, and it need not be: its coroutines all run on the loop's
// one thread.
class RepoCache {
  public:
    RepoCache(workbook::memcached::Client& cache, workbook::http::Client& github,
              workbook::ApiConfig api, std::chrono::seconds ttl)
        : cache_(cache), github_(github), api_(std::move(api)), ttl_(ttl) {}

    // TODO(12.2): the repository's info through cached_repo, at most one
    // lookup per repository at a time:
    // - no lookup of `full_name` under way: start one (a Flight in
    //   `flights_`), co_await cached_repo, keep its info or its exception in
    //   the Flight, take the Flight out of `flights_`, wake its waiters;
    // - one under way: wait for it (on its `done` timer) and return its info,
    //   or throw its exception (std::rethrow_exception);
    // - a lookup that ended is gone from `flights_`: the next call starts
    //   afresh (after a failure, it tries the API again).
    asio::awaitable<workbook::RepoInfo> get(std::string full_name);

    // Lookups under way (for the tests).
    std::size_t flights() const { return flights_.size(); }

  private:
    // One lookup under way, shared by everyone who asked meanwhile. Waiters
    // wait on `done`, a timer that never expires by itself: the lookup
    // cancels it when it ends (chapter 08's waiters woke the same way).
    struct Flight {
        explicit Flight(const asio::any_io_executor& executor)
            : done(executor, asio::steady_timer::time_point::max()) {}
        asio::steady_timer done;
        std::optional<workbook::RepoInfo> info;
        std::exception_ptr error;
    };

    workbook::memcached::Client& cache_;
    workbook::http::Client& github_;
    workbook::ApiConfig api_;
    std::chrono::seconds ttl_;
    std::map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace chapter12
