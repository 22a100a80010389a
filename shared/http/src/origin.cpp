#include "workbook/origin.hpp"

#include <stdexcept>

#include "workbook/transport_error.hpp"

namespace workbook {

bool Origin::default_port() const {
    return (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
}

std::string Origin::authority() const {
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return default_port() ? shown_host : shown_host + ":" + std::to_string(port);
}

std::string Origin::to_string() const {
    return scheme + "://" + authority();
}

Origin parse_origin(std::string_view url) {
    const auto fail = [](const char* why) -> Origin { throw std::invalid_argument(why); };
    Origin origin;
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return fail("has no scheme");
    origin.scheme = std::string(url.substr(0, sep));
    if (origin.scheme != "http" && origin.scheme != "https")
        return fail("must start with http:// or https://");
    const std::string_view authority = url.substr(sep + 3);
    if (authority.find('@') != std::string_view::npos) {
        return fail("carries credentials: put the token in GITHUB_TOKEN, never in the URL");
    }
    if (authority.find_first_of("/?#") != std::string_view::npos) {
        return fail("has more than scheme://host:port");
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {  // [::1]:8700
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return fail("has an unclosed [");
        origin.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port_text = authority.substr(close + 2);
    } else {
        const auto colon = authority.rfind(':');
        origin.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (origin.host.empty()) return fail("has no host");
    origin.port = origin.scheme == "https" ? 443 : 80;
    if (!port_text.empty()) {
        unsigned long port = 0;
        for (char c : port_text) {
            if (c < '0' || c > '9') return fail("has a port that is not a number");
            port = port * 10 + static_cast<unsigned long>(c - '0');
            if (port > 65535) return fail("has a port above 65535");
        }
        if (port == 0) return fail("has port 0");
        origin.port = static_cast<unsigned short>(port);
    }
    return origin;
}

Location follow_redirect(const Origin& from, std::string_view target, std::string_view location) {
    const auto fail = [&](const std::string& why) -> Location {
        throw TransportError(Failure::redirect, "the redirect from " + from.to_string() + " to \"" +
                                                    std::string(location.substr(0, 200)) +
                                                    "\" cannot be followed: " + why);
    };
    location = location.substr(0, location.find('#'));  // a fragment is never sent
    Location next{from, {}};
    const auto scheme_end = location.find("://");
    if (scheme_end != std::string_view::npos || location.rfind("//", 0) == 0) {
        // Absolute ("https://host/path") or scheme-relative ("//host/path").
        const std::string scheme = scheme_end == std::string_view::npos
                                       ? from.scheme
                                       : std::string(location.substr(0, scheme_end));
        const auto rest =
            location.substr(scheme_end == std::string_view::npos ? 2 : scheme_end + 3);
        const auto path_at = rest.find_first_of("/?");
        try {
            next.origin = parse_origin(scheme + "://" + std::string(rest.substr(0, path_at)));
        } catch (const std::invalid_argument&) {
            return fail("not an http:// or https:// URL with a host");
        }
        next.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
        if (next.target.front() == '?') next.target.insert(0, "/");
    } else if (!location.empty() && location.front() == '/') {
        next.target = std::string(location);
    } else if (!location.empty()) {
        // Relative to the current target's folder: "b" from "/a/x" is "/a/b".
        const std::string_view current = target.substr(0, target.find('?'));
        next.target =
            std::string(current.substr(0, current.rfind('/') + 1)) + std::string(location);
    } else {
        return fail("the Location header is missing or empty");
    }
    // Whatever goes into the request line: no spaces or control characters,
    // so nothing can be smuggled into the request.
    for (const char c : next.target) {
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
            return fail("it holds spaces or control characters");
    }
    return next;
}

}  // namespace workbook
