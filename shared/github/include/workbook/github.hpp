// What every chapter shares about the GitHub API: the repositories the talk
// fetches, where the API is (the offline stand-in unless told otherwise), how
// a repository's JSON becomes a RepoInfo, and how a failure is put into words
// that say what happened and what to do next.
//
// This header is deliberately light (no Asio, no httplib, no JSON library):
// every exercise.hpp includes it, and attendees rebuild after every edit.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/origin.hpp"
#include "workbook/transport_error.hpp"

namespace workbook {

// The three fields the talk prints for each repository.
struct RepoInfo {
    std::string name;
    std::string full_name;
    long long stargazers_count = 0;

    bool operator==(const RepoInfo&) const = default;
};

// The three fields as GitHub's JSON has them, which parse_repo_info reads
// back: {"full_name":"chriskohlhoff/asio","name":"asio","stargazers_count":5123}
// (what chapter 12 keeps in memcached).
std::string to_json(const RepoInfo& info);

// One line, like the talk's `print(repo_info)`:
//   {name: "asio", full_name: "chriskohlhoff/asio", stargazers_count: 5123}
std::string to_string(const RepoInfo& info);

// The outcome of fetching one repository: its info, or what went wrong.
// Chapters return a vector of these in input order, so one failure never
// hides the repositories that succeeded.
struct FetchResult {
    std::string full_name;
    std::optional<RepoInfo> info;
    std::string error;  // empty when info is set

    bool ok() const { return info.has_value(); }
};

// One FetchResult as one line of JSON (no newline in it), and back; for
// programs that pass results between processes. The second throws ParseError.
std::string to_json(const FetchResult& result);
FetchResult fetch_result_from_json(std::string_view json);

// The repositories the talk fetches: twenty well-known public projects,
// "owner/name" each.
const std::vector<std::string>& repositories();

// Where the API is and how to talk to it, read from the environment:
//   WORKBOOK_GITHUB_API  base URL; default the stand-in, http://127.0.0.1:8700
//   GITHUB_TOKEN         optional token, sent only in the Authorization header
//   WORKBOOK_CA_FILE     CA certificates to verify HTTPS with; default the
//                        stand-in's own CA for a loopback host, else the system's
inline constexpr std::string_view default_api_url = "http://127.0.0.1:8700";

struct ApiConfig {
    std::string scheme = "http";  // "http" or "https"
    std::string host = "127.0.0.1";
    unsigned short port = 8700;
    std::string base_path;  // "" for both GitHub and the stand-in
    std::string token;      // empty: no Authorization header
    std::string ca_file;    // empty: the system's certificate store

    // scheme, host and port: where a client connects. Prints as
    // "http://127.0.0.1:8700".
    Origin origin() const { return {scheme, host, port}; }
    // The same settings (the CA file) for another origin a redirect leads
    // to: no base path, and no token, which is for this origin only.
    ApiConfig at(const Origin& other) const;
    // "/repos/owner/name"; throws std::invalid_argument for a name that is
    // not "owner/name" made of GitHub's characters (so nothing else can be
    // smuggled into the request line).
    std::string repo_path(std::string_view full_name) const;
    // True when the API is on this machine (127.0.0.0/8, ::1, localhost).
    bool is_local() const;
};

// Parses a base URL such as "https://api.github.com" or "http://127.0.0.1:8700".
// Throws std::invalid_argument naming what is wrong with it.
ApiConfig parse_api_url(std::string_view url);

// The configuration the environment asks for (see above).
ApiConfig api_config_from_env();

// Thrown by parse_repo_info; the message names the field and what was wrong.
class ParseError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Turns the JSON of GET /repos/{owner}/{repo} into a RepoInfo. Throws
// ParseError for malformed JSON, a missing field or a field of the wrong type,
// e.g. `field "stargazers_count" is a string, expected a number`.
RepoInfo parse_repo_info(std::string_view body);

// A failed fetch, with a message for people (what happened, what to do).
class FetchError : public std::runtime_error {
  public:
    FetchError(std::string message, int status = 0, std::optional<Failure> failure = std::nullopt)
        : std::runtime_error(std::move(message)), status_(status), failure_(failure) {}
    // The HTTP status when the server answered, 0 when it never did.
    int status() const { return status_; }
    // What failed when there was no usable answer (a TransportError).
    std::optional<Failure> failure() const { return failure_; }

  private:
    int status_;
    std::optional<Failure> failure_;
};

// The message for an HTTP status other than 200, using GitHub's JSON error
// body ("message") when there is one. `rate_limit_remaining` and
// `retry_after` are the values of the X-RateLimit-Remaining and Retry-After
// headers, empty when absent. A 429, or a 403 with Retry-After (GitHub's
// secondary rate limit), says how many seconds to wait; a 401 says whether a
// token is missing or wrong, which only `api` knows.
std::string describe_status(const ApiConfig& api, std::string_view full_name, int status,
                            std::string_view body, std::string_view rate_limit_remaining = {},
                            std::string_view retry_after = {});
// The same without the configuration: a 401 then cannot tell a missing token
// from a wrong one and says both.
std::string describe_status(std::string_view full_name, int status, std::string_view body,
                            std::string_view rate_limit_remaining = {});

// The repository in an answer of the API, or a FetchError that says why
// not: a status other than 200 (describe_status), or a body that is not a
// repository. Where both clients' fetch_repo_* end, whatever carried the
// answer.
RepoInfo repo_info_from_answer(const ApiConfig& api, std::string_view full_name, int status,
                               const std::string& body, std::string_view rate_limit_remaining,
                               std::string_view retry_after);

// The message for a request that got no usable answer: what happened (the
// error's message) and the advice for what failed.
std::string describe_transport_failure(const ApiConfig& api, std::string_view full_name,
                                       const TransportError& error);

// Replaces every occurrence of the token in `text` with "***", for anything
// that might be printed.
std::string redact(std::string text, std::string_view token);

}  // namespace workbook
