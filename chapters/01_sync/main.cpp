// Chapter 01: synchronous. One HTTP request at a time.
//
// The idea: a blocking call holds the whole program until its answer comes
// back. Fetching twenty repositories with a 100 ms round trip takes twenty
// times 100 ms, and the CPU spends almost all of it waiting. Every chapter
// after this one is a different answer to that waiting.
//
// Python (the talk):  for repo_url in REPOS: requests.get(repo_url).json()
// C++ (here):         for (name : repositories()) get_blocking(*client, api, path)
//
// Run it: ./workbook run 01 (starts the offline GitHub stand-in for you).
#include <iostream>

#include "workbook/blocking_client.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/github.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

// WORKBOOK_GITHUB_API and GITHUB_TOKEN decide where the requests go (`api`);
// by default, to the stand-in on this machine.
int fetch_one_at_a_time(const workbook::ApiConfig& api) {
    const auto& repos = workbook::repositories();
    std::cout << "Fetching " << repos.size() << " repositories from " << api.origin()
              << ", one at a time\n";

    // One client for all the requests: cpp-httplib keeps the connection open
    // between them, so only the first one pays for the TCP (and TLS) setup.
    const auto client = workbook::make_blocking_client(api);
    int failed = 0;
    workbook::Stopwatch stopwatch;

    workbook::step("sync_loop");
    // [slide:sync_loop]
    for (const auto& full_name : repos) {
        // client->Get() returns only when the whole response is in: for
        // those 100 ms this thread, and so this program, does nothing else.
        // get_blocking is that Get() and what requests.get adds: it follows
        // a redirect (GitHub answers 301 for a renamed repository).
        httplib::Response response;
        try {
            response = workbook::get_blocking(*client, api, api.repo_path(full_name));
        } catch (const workbook::TransportError& e) {
            // No answer: the server is down, hung, or its certificate did not
            // verify. Say which, and go on with the next repository.
            std::cerr << workbook::describe_transport_failure(api, full_name, e) << "\n";
            ++failed;
            continue;
        }
        if (response.status != 200) {
            std::cerr << workbook::describe_status(
                             api, full_name, response.status, response.body,
                             response.get_header_value("X-RateLimit-Remaining"),
                             response.get_header_value("Retry-After"))
                      << "\n";
            ++failed;
            continue;
        }
        try {
            std::cout << workbook::to_string(workbook::parse_repo_info(response.body)) << "\n";
        } catch (const workbook::ParseError& e) {
            std::cerr << full_name << ": " << e.what() << "\n";
            ++failed;
        }
    }
    // [/slide]

    std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
    if (failed > 0) {
        std::cerr << failed << " of " << repos.size() << " repositories failed (see above); "
                  << repos.size() - static_cast<std::size_t>(failed) << " succeeded.\n";
        return 1;
    }
    return 0;
}

int main() {
    return workbook::demo_main(fetch_one_at_a_time);
}
