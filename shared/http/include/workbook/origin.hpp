// Where a server is: scheme, host and port (RFC 6454's origin). The HTTP
// client is made for one, a redirect may lead to another, and a token is
// only ever sent to the origin it was given for.
//
// Light on purpose (no Asio): github.hpp includes it.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace workbook {

struct Origin {
    std::string scheme = "http";  // "http" or "https"
    std::string host = "127.0.0.1";
    unsigned short port = 80;

    // "http://127.0.0.1:8700", "https://api.github.com", "http://[::1]:8700":
    // the port left out when it is the scheme's own.
    std::string to_string() const;
    // "127.0.0.1:8700", "api.github.com": the value of the Host header.
    std::string authority() const;
    bool default_port() const;

    bool operator==(const Origin&) const = default;
};

inline std::ostream& operator<<(std::ostream& out, const Origin& origin) {
    return out << origin.to_string();
}

// Parses "scheme://host[:port]" (http or https; "[::1]" for IPv6; nothing
// after the authority). Throws std::invalid_argument saying what is wrong,
// in words that follow the URL: "has no scheme", "has a port above 65535".
Origin parse_origin(std::string_view url);

// Redirects, followed by both clients the way requests and aiohttp do: GitHub
// answers 301 for a repository that was renamed or moved.
inline constexpr int max_redirects = 5;
inline bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Where the Location header of a redirect answered to `target` on `from`
// leads: an absolute URL, a scheme-relative "//host/path", an absolute path
// or a path relative to the target's folder. Throws
// TransportError(Failure::redirect) for a Location it cannot follow.
struct Location {
    Origin origin;
    std::string target;
};
Location follow_redirect(const Origin& from, std::string_view target, std::string_view location);

}  // namespace workbook
