// Chapter 01 reference answer.
#include "exercise.hpp"

#include "workbook/blocking_client.hpp"

namespace chapter01 {

// [slide:sync_fetch_repo]
workbook::RepoInfo fetch_repo(httplib::Client& client, const workbook::ApiConfig& api,
                              std::string_view full_name) {
    // get_blocking is client.Get() plus what requests.get does by default:
    // it follows a redirect (a renamed repository answers 301), at most 5,
    // sending the token to the API's own origin only. It blocks this thread
    // until the whole answer is in, or throws TransportError.
    httplib::Response response;
    try {
        response = workbook::get_blocking(client, api, api.repo_path(full_name));
    } catch (const workbook::TransportError& e) {
        // No answer at all: refused, timed out, broken off, or TLS failed.
        throw workbook::FetchError(workbook::describe_transport_failure(api, full_name, e), 0,
                                   e.failure());
    }
    if (response.status != 200) {
        throw workbook::FetchError(
            workbook::describe_status(api, full_name, response.status, response.body,
                                      response.get_header_value("X-RateLimit-Remaining"),
                                      response.get_header_value("Retry-After")),
            response.status);
    }
    try {
        return workbook::parse_repo_info(response.body);
    } catch (const workbook::ParseError& e) {
        throw workbook::FetchError(std::string(full_name) + ": " + e.what(), response.status);
    }
}
// [/slide]

// [slide:sync_fetch_all]
std::vector<workbook::FetchResult> fetch_all(const workbook::ApiConfig& api,
                                             const std::vector<std::string>& names,
                                             std::chrono::milliseconds timeout) {
    // One client for the whole loop: it keeps its connection open between
    // requests (keep-alive), so only the first pays for TCP and TLS setup.
    const auto client = workbook::make_blocking_client(api, timeout);
    std::vector<workbook::FetchResult> results;
    results.reserve(names.size());
    for (const auto& name : names) {
        workbook::FetchResult result{name, std::nullopt, {}};
        try {
            result.info = fetch_repo(*client, api, name);
        } catch (const workbook::FetchError& e) {
            result.error = e.what();  // this repository failed; the loop goes on
        } catch (const std::invalid_argument& e) {
            result.error = e.what();  // not an owner/name: nothing was sent
        }
        results.push_back(std::move(result));
    }
    return results;
}
// [/slide]

}  // namespace chapter01
