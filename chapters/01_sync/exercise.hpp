// Chapter 01 exercise: fetch repositories with a blocking client, one at a
// time, without losing any result to another's failure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/github.hpp"

namespace httplib {
class Client;
}

namespace chapter01 {

// TODO(01.1): GET one repository with `client` and return its RepoInfo.
//   - GET with workbook::get_blocking(client, api, api.repo_path(full_name)):
//     cpp-httplib's client.Get() with what requests.get does by default, a
//     redirect followed (a renamed repository answers 301);
//   - no answer at all (get_blocking throws workbook::TransportError): throw
//     workbook::FetchError with workbook::describe_transport_failure(...),
//     the status 0 and the error's step();
//   - a status other than 200: throw workbook::FetchError with
//     workbook::describe_status(...) and the status;
//   - a body that does not parse: throw workbook::FetchError naming the
//     repository and what workbook::parse_repo_info said.
// The token is already in the client's default headers (make_blocking_client
// puts it there): never add it to the path.
workbook::RepoInfo fetch_repo(httplib::Client& client, const workbook::ApiConfig& api,
                              std::string_view full_name);

// TODO(01.2): fetch every repository of `names`, one after the other, over
// one client made with workbook::make_blocking_client(api, timeout).
// Return one FetchResult per name, in the order of `names`: its info, or the
// FetchError's message when it failed. A failure never stops the loop.
std::vector<workbook::FetchResult> fetch_all(
    const workbook::ApiConfig& api, const std::vector<std::string>& names,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace chapter01
