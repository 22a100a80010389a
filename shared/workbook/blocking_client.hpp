// A blocking HTTP(S) client for the GitHub API, set up the way every blocking
// chapter (01 to 04) needs it: cpp-httplib, with the token in the
// Authorization header, certificate and host-name verification against the
// right CA, and timeouts so a hung server cannot hang the program.
//
// cpp-httplib blocks the calling thread for the whole request: use it on
// threads of your own, never inside a coroutine (chapter 05 shows why).
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>

#include "workbook/github.hpp"

namespace workbook {

std::unique_ptr<httplib::Client> make_blocking_client(
    const ApiConfig& api, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// GET one repository and return its RepoInfo, or throw FetchError with a
// message that says what went wrong (no answer, a status other than 200, a
// body that is not a repository). Chapter 01's exercise writes exactly this;
// the chapters after it call this one.
RepoInfo fetch_repo_blocking(httplib::Client& client, const ApiConfig& api, std::string_view full_name);

// What went wrong with a request that got no answer, in words that
// describe_transport_failure() understands ("connection refused or
// unreachable", "TLS certificate did not verify: ...", ...).
std::string transport_failure(const httplib::Client& client, httplib::Error error);

}  // namespace workbook
