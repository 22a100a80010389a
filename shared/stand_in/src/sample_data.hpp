// The stand-in's repositories: twenty samples in GitHub's shape, the
// licenses they cite, and the made-up ones of the load tests.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace workbook::stand_in_parts {

// Sample data in GitHub's shape. The figures are fixed, so tests can expect
// them; they are not live counts.
struct Sample {
    const char* full_name;
    const char* owner_type;  // "User" or "Organization"
    const char* description;
    const char* homepage;  // "" is JSON null, as GitHub sends for none
    const char* language;
    const char* license;  // a key of licenses below
    const char* topics;   // separated by spaces
    const char* default_branch;
    long long stars;
    long long forks;
    long long open_issues;
    long long size_kb;
    const char* created_at;
};

inline constexpr Sample samples[] = {
    {"chriskohlhoff/asio", "User", "Asio C++ Library", "http://think-async.com/", "C++", "bsl-1.0",
     "asio asynchronous cpp networking", "master", 5012, 1234, 820, 25410, "2013-04-01T09:00:00Z"},
    {"yhirose/cpp-httplib", "User", "A C++ header-only HTTP/HTTPS server and client library", "",
     "C++", "mit", "cpp header-only http https", "master", 13050, 2310, 41, 6230,
     "2012-09-22T19:54:04Z"},
    {"nlohmann/json", "User", "JSON for Modern C++", "https://json.nlohmann.me", "C++", "mit",
     "cpp header-only json json-parser", "develop", 43020, 6730, 72, 185120,
     "2013-07-04T08:47:49Z"},
    {"doctest/doctest", "Organization",
     "The fastest feature-rich C++11/14/17/20/23 single-header testing framework",
     "https://bit.ly/doctest-docs", "C++", "mit", "cpp header-only testing unit-testing", "master",
     5980, 650, 203, 7930, "2016-03-26T19:37:21Z"},
    {"nodejs/llhttp", "Organization", "Port of http_parser to llparse", "http://llhttp.org",
     "TypeScript", "mit", "http parser", "main", 1710, 190, 38, 1540, "2018-10-20T16:49:08Z"},
    {"openssl/openssl", "Organization", "TLS/SSL and crypto library", "https://www.openssl.org",
     "C", "apache-2.0", "cryptography ssl tls", "master", 26010, 10220, 1930, 521400,
     "2013-01-15T22:34:48Z"},
    {"libuv/libuv", "Organization", "Cross-platform asynchronous I/O", "https://libuv.org", "C",
     "mit", "asynchronous event-loop io", "v1.x", 24400, 3620, 148, 35310, "2011-03-21T22:45:53Z"},
    {"scylladb/seastar", "Organization", "High performance server-side application framework",
     "http://seastar.io", "C++", "apache-2.0", "asynchronous cpp futures", "master", 8450, 1560,
     905, 30260, "2014-09-23T13:21:01Z"},
    {"facebook/folly", "Organization", "An open-source C++ library developed and used at Facebook.",
     "", "C++", "apache-2.0", "cpp library", "main", 28900, 5590, 410, 95320,
     "2012-06-01T20:49:04Z"},
    {"python/cpython", "Organization", "The Python programming language", "https://www.python.org",
     "Python", "other", "interpreter python", "main", 64900, 30900, 9040, 652300,
     "2017-02-10T19:23:51Z"},
    {"aio-libs/aiohttp", "Organization",
     "Asynchronous HTTP client/server framework for asyncio and Python", "https://docs.aiohttp.org",
     "Python", "apache-2.0", "aiohttp asyncio http http-client http-server", "master", 15300, 2040,
     252, 27150, "2013-10-01T18:45:35Z"},
    {"twisted/twisted", "Organization", "Event-driven networking engine written in Python.",
     "https://www.twisted.org", "Python", "other", "networking python", "trunk", 5620, 1170, 1130,
     80040, "2015-02-17T14:40:52Z"},
    {"gevent/gevent", "Organization", "Coroutine-based concurrency library for Python",
     "http://www.gevent.org", "Python", "other", "coroutines greenlet python", "master", 6290, 940,
     131, 18020, "2012-03-12T11:07:29Z"},
    {"tornadoweb/tornado", "Organization",
     "Tornado is a Python web framework and asynchronous networking library",
     "http://www.tornadoweb.org/", "Python", "apache-2.0", "asynchronous python web-framework",
     "master", 21800, 5500, 203, 11060, "2009-09-09T04:53:44Z"},
    {"sanic-org/sanic", "Organization",
     "Accelerate your web app development | Build fast. Run fast.", "https://sanic.dev", "Python",
     "mit", "asyncio python web-framework", "main", 18100, 1560, 93, 12070, "2016-05-26T00:09:55Z"},
    {"redis/redis", "Organization", "Redis is an in-memory database that persists on disk.",
     "http://redis.io", "C", "other", "cache database key-value", "unstable", 67900, 23800, 2610,
     131200, "2009-03-21T22:32:25Z"},
    {"memcached/memcached", "Organization", "memcached development tree", "https://memcached.org",
     "C", "bsd-3-clause", "cache", "master", 13700, 3290, 61, 11030, "2009-01-17T01:06:00Z"},
    {"postgres/postgres", "Organization", "Mirror of the official PostgreSQL GIT repository.",
     "https://www.postgresql.org/", "C", "other", "database sql", "master", 16900, 4800, 0, 702100,
     "2010-09-21T11:35:45Z"},
    {"tokio-rs/tokio", "Organization",
     "A runtime for writing reliable asynchronous applications with Rust.", "https://tokio.rs",
     "Rust", "mit", "asynchronous networking rust", "master", 28100, 2610, 304, 20150,
     "2016-09-09T21:02:06Z"},
    {"fmtlib/fmt", "Organization", "A modern formatting library", "https://fmt.dev", "C++", "other",
     "cpp formatting", "master", 21400, 2560, 29, 35080, "2012-12-07T16:26:46Z"},
};

struct License {
    const char* key;
    const char* name;
    const char* spdx_id;
    int number;  // GitHub's own number for it, in its node_id
};
inline constexpr License licenses[] = {
    {"mit", "MIT License", "MIT", 13},
    {"apache-2.0", "Apache License 2.0", "Apache-2.0", 2},
    {"bsl-1.0", "Boost Software License 1.0", "BSL-1.0", 28},
    {"bsd-3-clause", "BSD 3-Clause \"New\" or \"Revised\" License", "BSD-3-Clause", 5},
    {"other", "Other", "NOASSERTION", 0},
};

inline constexpr std::string_view bench_owner = "workbook-bench/repo-";
inline constexpr long long bench_owner_id = 990'001;
inline constexpr long long bench_first_id = 1'000'000;

inline std::string base64(std::string_view in) {
    static constexpr char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v =
            (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += {digits[v >> 18], digits[v >> 12 & 63], digits[v >> 6 & 63], digits[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16;
        out += {digits[v >> 18], digits[v >> 12 & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {digits[v >> 18], digits[v >> 12 & 63], digits[v >> 6 & 63], '='};
    }
    return out;
}

// GitHub's node ids in their older, still-served form: base64 of
// "010:Repository1234", "04:User5", "012:Organization6", "07:License13".
inline std::string node_id(std::string_view kind, long long id) {
    return base64("0" + std::to_string(kind.size()) + ":" + std::string(kind) + std::to_string(id));
}

inline std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

struct NoCaseLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                            [](char x, char y) {
                                                return std::tolower(static_cast<unsigned char>(x)) <
                                                       std::tolower(static_cast<unsigned char>(y));
                                            });
    }
};

}  // namespace workbook::stand_in_parts
