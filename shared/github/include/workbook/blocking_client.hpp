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
#include <cstddef>
#include <memory>
#include <string>

#include "workbook/github.hpp"
#include "workbook/transport_error.hpp"

namespace workbook {

// The most a blocking GET reads of a body (after decompression): a
// repository's JSON is a few KiB, and a server that sends without end must
// not fill the memory. The asynchronous client has the same default.
inline constexpr std::size_t blocking_max_body_bytes = 16 * 1024 * 1024;

// A client for the API's origin. It asks for gzip (Accept-Encoding), which
// cpp-httplib decodes. Making it never fails: a CA file that cannot be read
// is reported by the first HTTPS request, and a plain-HTTP one ignores it.
std::unique_ptr<httplib::Client> make_blocking_client(
    const ApiConfig& api, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// GET `target` on `client` (made for `api`) and return the whole response,
// whatever its status, or throw TransportError naming what failed (a Failure).
// On top of client.Get() it
//   - caps the body at `max_body` bytes (cpp-httplib's client has no cap);
//   - refuses a Content-Encoding it cannot decode, by name, rather than hand
//     compressed bytes to a JSON parser;
//   - follows redirects (301, 302, 303, 307, 308), at most max_redirects, and
//     sends the token only to the API's own origin;
//   - sends the request once more, on a new connection, when a kept-alive
//     connection turns out to have been closed by the server before any of
//     the response came. cpp-httplib checks a kept-alive socket before
//     reusing it, but a server that closes just after answering can still be
//     caught between the check and the request (chapter 01's README). GET is
//     safe to repeat;
//   - reports a read that failed after the read timeout as a timeout
//     (cpp-httplib says "Read" both for that and for a connection that broke
//     off), and does not send it again.
httplib::Response get_blocking(httplib::Client& client, const ApiConfig& api,
                               const std::string& target,
                               std::size_t max_body = blocking_max_body_bytes);

// GET one repository (with get_blocking) and return its RepoInfo, or throw
// FetchError with a message that says what went wrong (no answer, a status
// other than 200, a body that is not a repository). Chapter 01's exercise
// writes a simpler version of this; the chapters after it call this one.
RepoInfo fetch_repo_blocking(httplib::Client& client, const ApiConfig& api,
                             std::string_view full_name);

// cpp-httplib's error for a request that got no answer, as a TransportError
// with its step, for describe_transport_failure().
TransportError transport_failure(const httplib::Client& client, httplib::Error error);

}  // namespace workbook
