// Chapter 01 exercise: your file. Make `./workbook check 01` green.
//
// Write fetch_repo (TODO 01.1) and fetch_all (TODO 01.2) as exercise.hpp
// describes them. main.cpp does the same job inline, for the slide; here you
// turn it into two functions that report every failure instead of stopping.
//
// Stuck? `./workbook hint 01.1` (then `./workbook hint 01.1 2`, ...), or 01.2.
#include "exercise.hpp"

#include "workbook/blocking_client.hpp"
#include "workbook/todo.hpp"

namespace chapter01 {

workbook::RepoInfo fetch_repo(httplib::Client& client, const workbook::ApiConfig& api,
                              std::string_view full_name) {
    // TODO(01.1): workbook::get_blocking(client, api, ...), then check: no
    // answer? a status other than 200? a body that does not parse?
    (void)client, (void)api, (void)full_name;
    workbook::todo("01.1");
}

std::vector<workbook::FetchResult> fetch_all(const workbook::ApiConfig& api,
                                             const std::vector<std::string>& names,
                                             std::chrono::milliseconds timeout) {
    // TODO(01.2): one client, a loop, and a try/catch around each fetch_repo.
    (void)api, (void)names, (void)timeout;
    workbook::todo("01.2");
}

}  // namespace chapter01
