// The stand-in: the offline GitHub API that every chapter talks to (the
// program `fake-github` runs it; tests run it in-process, TestStandIn). It
// answers GET /repos/{owner}/{repo} with GitHub-shaped JSON after a fixed
// latency, checks tokens, fails on demand, and counts what it
// sees, so tests can ask it how many requests were in flight at once.
//
// It counts what it serves (stand_in_stats.hpp, the contract its readers
// rely on): GET /_stats, and POST /_stats/reset, which also clears every
// client's rate-limit count; stats() and reset_stats() do the same
// in-process. The log keeps the first StandInOptions::max_log requests
// (--max-log); log_dropped counts the rest.
//
// Repositories: the twenty of workbook::repositories(), plus any number of
// made-up ones named "workbook-bench/repo-N" (N = 0, 1, ...) for load tests.
// Owner and name match without regard to case, as on GitHub; the answer
// carries the canonical spelling. Each body is rendered once, from a
// template made when the stand-in starts, not built as JSON per request.
//
// Like api.github.com it sends X-RateLimit-* on every API answer (counting
// per client: the token it sends, else its address), an ETag on each 200
// and 304 Not Modified for a matching If-None-Match, answers HEAD, and 405
// with `Allow: GET, HEAD` for any other method.
//
// This header stays free of Asio so tests that include it build quickly.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/github.hpp"
#include "workbook/stand_in_stats.hpp"

namespace workbook {

// How a repository fails, chosen when the stand-in starts, so a test knows
// exactly which repository fails and how.
enum class Fault {
    none,
    unauthorized,   // 401 with GitHub's "Bad credentials" body
    rate_limited,   // 403 with X-RateLimit-Remaining: 0
    not_found,      // 404
    server_error,   // 500
    malformed,      // 200 with a body that is not JSON
    truncated,      // 200 whose body stops halfway, then the connection closes
    reset,          // 200 whose body stops halfway, then a TCP reset
    hang,           // never answers (until the stand-in stops)
    moved,          // renamed: 301 to /repositories/ID, GitHub's answer, which serves it
    redirect_loop,  // 301 to itself, for ever
};

// "401", "403", "404", "500", "malformed", "truncated", "reset", "hang",
// "301", "301-loop" (and "unauthorized", "rate-limit", "not-found",
// "server-error", "moved", "redirect-loop").
// Throws std::invalid_argument listing the valid names.
Fault parse_fault(std::string_view name);
std::string_view to_string(Fault fault);

// Requests a client may make in an hour before it gets GitHub's 403 "API
// rate limit exceeded". A client is the token it sends, else its IP address.
struct RateLimit {
    long long without_token = 0;
    long long with_token = 0;
};
// What api.github.com allows: 60 an hour without a token, 5,000 with one.
inline constexpr RateLimit github_rate_limit{60, 5'000};
// The default: more than any test, demo or benchmark of the workbook sends
// (`./workbook bench` fetches tens of thousands of repositories from one
// address), so only a run that asks for GitHub's limit meets it.
inline constexpr RateLimit workbook_rate_limit{1'000'000, 1'000'000};

struct StandInOptions {
    std::chrono::milliseconds latency{100};
    std::map<std::string, std::chrono::milliseconds> latency_for;  // per repository
    std::map<std::string, Fault> faults;                           // per repository
    std::string token;                           // not empty: every request must send it, else 401
    RateLimit rate_limit = workbook_rate_limit;  // github_rate_limit to meet GitHub's
    // Entries the statistics' log keeps; past that, requests are counted but
    // not logged, and /_stats says how many were dropped (log_dropped).
    std::size_t max_log = 200'000;
    std::chrono::milliseconds head_timeout{10'000};
    std::chrono::milliseconds idle_timeout{
        60'000};           // a keep-alive connection with nothing sent is closed
    bool verbose = false;  // print each connection problem on stderr
};

// The stand-in, running its own event loop on a thread of its own
// (start()) or on the calling thread (run()).
class StandIn {
  public:
    explicit StandIn(StandInOptions options = {});
    ~StandIn();  // stops it
    StandIn(const StandIn&) = delete;
    StandIn& operator=(const StandIn&) = delete;

    // Listen before start()/run(); port 0 picks a free port. Return the port.
    unsigned short listen_http(const std::string& address = "127.0.0.1", unsigned short port = 0);
    // HTTPS with the certificate the build made for the stand-in (signed by
    // the workbook's CA, see paths.hpp) unless others are given.
    unsigned short listen_https(const std::string& address = "127.0.0.1", unsigned short port = 0,
                                const std::string& cert_file = {},
                                const std::string& key_file = {});

    void start();  // serve on a background thread
    void run();    // serve on this thread until stop() (from a signal handler's thread too)
    void stop();   // graceful; safe from any thread; waits for the thread of start()

    // What a client needs to reach it: base URL, the token, and the CA.
    ApiConfig http_api() const;
    ApiConfig https_api() const;

    Stats stats() const;  // a copy, safe from any thread
    void reset_stats();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace workbook
