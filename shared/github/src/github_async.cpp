#include "workbook/github_async.hpp"

#include "workbook/arrivals.hpp"

namespace workbook {

http::Client github_client(asio::any_io_executor executor, const ApiConfig& api,
                           http::ClientOptions options) {
    options.headers = {{"User-Agent", "asio-workbook"}, {"Accept", "application/vnd.github+json"}};
    // The token travels in a header, never in the target.
    if (!api.token.empty()) options.headers.push_back({"Authorization", "token " + api.token});
    options.ca_file = api.ca_file;
    return http::Client(std::move(executor), api.origin(), std::move(options));
}

http::Client github_client(asio::any_io_executor executor, const ApiConfig& api) {
    return github_client(std::move(executor), api, http::ClientOptions{});
}

asio::awaitable<RepoInfo> fetch_repo_async(http::Client& client, const ApiConfig& api,
                                           std::string full_name) {
    try {
        // Throws std::invalid_argument before anything is sent.
        const std::string path = api.repo_path(full_name);
        http::ClientResponse response;
        try {
            response = co_await client.get(path);
        } catch (const TransportError& e) {
            throw FetchError(describe_transport_failure(api, full_name, e), 0, e.failure());
        }
        auto info = repo_info_from_answer(api, full_name, response.status, response.body,
                                          response.header("X-RateLimit-Remaining"),
                                          response.header("Retry-After"));
        report_arrival(full_name, true);
        co_return info;
    } catch (...) {
        report_arrival(full_name, false);
        throw;
    }
}

}  // namespace workbook
