// The GitHub API over the asynchronous client (http_client.hpp): the client
// made for the API the configuration names, and one repository fetched with
// it. The blocking twins are in blocking_client.hpp.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <string>

#include "workbook/github.hpp"
#include "workbook/http_client.hpp"

namespace workbook {

// A client for `api`'s origin that sends what GitHub asks of a client: a
// User-Agent, `Accept: application/vnd.github+json`, and the token (if any)
// in the Authorization header, never in a URL; HTTPS verified against
// `api.ca_file`. `options`' own headers and CA file are replaced.
http::Client github_client(asio::any_io_executor executor, const ApiConfig& api,
                           http::ClientOptions options);
// The same with the default options. (An overload, not a default argument:
// g++ 12 frees a defaulted argument's temporary wrongly when the call also
// holds a co_await, as `github_client(co_await this_coro::executor, api)`
// does.)
http::Client github_client(asio::any_io_executor executor, const ApiConfig& api);

// GET /repos/{owner}/{name} and its RepoInfo, or a FetchError saying what went
// wrong: the asynchronous twin of fetch_repo_blocking. `client` is one made
// by github_client for the same `api`.
asio::awaitable<RepoInfo> fetch_repo_async(http::Client& client, const ApiConfig& api,
                                           std::string full_name);

}  // namespace workbook
