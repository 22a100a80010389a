#include "workbook/fake_github.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "workbook/http_server.hpp"
#include "workbook/paths.hpp"

namespace workbook {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

Fault parse_fault(std::string_view name) {
    static const std::map<std::string_view, Fault> names = {
        {"401", Fault::unauthorized},   {"unauthorized", Fault::unauthorized},
        {"403", Fault::rate_limited},   {"rate-limit", Fault::rate_limited},
        {"404", Fault::not_found},      {"not-found", Fault::not_found},
        {"500", Fault::server_error},   {"server-error", Fault::server_error},
        {"malformed", Fault::malformed}, {"truncated", Fault::truncated},
        {"reset", Fault::reset},        {"hang", Fault::hang},
    };
    if (const auto it = names.find(name); it != names.end()) return it->second;
    throw std::invalid_argument("unknown fault \"" + std::string(name) +
                                "\": use 401, 403, 404, 500, malformed, truncated, reset or hang");
}

std::string_view to_string(Fault fault) {
    switch (fault) {
        case Fault::none: return "none";
        case Fault::unauthorized: return "401";
        case Fault::rate_limited: return "403";
        case Fault::not_found: return "404";
        case Fault::server_error: return "500";
        case Fault::malformed: return "malformed";
        case Fault::truncated: return "truncated";
        case Fault::reset: return "reset";
        case Fault::hang: return "hang";
    }
    return "?";
}

std::string to_json(const Stats& stats) {
    json log = json::array();
    for (const auto& e : stats.log) {
        log.push_back({{"path", e.path}, {"status", e.status}, {"start_us", e.start_us}, {"end_us", e.end_us}});
    }
    return json{{"requests", stats.requests},
                {"in_flight", stats.in_flight},
                {"max_in_flight", stats.max_in_flight},
                {"log", std::move(log)}}
        .dump();
}

Stats stats_from_json(std::string_view text) {
    const auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw ParseError("the statistics are not a JSON object");
    try {
        Stats stats;
        stats.requests = j.at("requests").get<long long>();
        stats.in_flight = j.at("in_flight").get<long long>();
        stats.max_in_flight = j.at("max_in_flight").get<long long>();
        for (const auto& e : j.at("log")) {
            stats.log.push_back({e.at("path").get<std::string>(), e.at("status").get<int>(),
                                 e.at("start_us").get<long long>(), e.at("end_us").get<long long>()});
        }
        return stats;
    } catch (const json::exception& e) {
        throw ParseError(std::string("the statistics are not what /_stats returns: ") + e.what());
    }
}

namespace {

// Sample data in GitHub's shape. The figures are fixed, so tests can expect
// them; they are not live counts.
struct Sample {
    const char* full_name;
    const char* description;
    const char* language;
    long long stars;
    long long forks;
    const char* created_at;
};

constexpr Sample samples[] = {
    {"chriskohlhoff/asio", "Asio C++ Library", "C++", 5012, 1234, "2013-04-01T09:00:00Z"},
    {"yhirose/cpp-httplib", "A C++ header-only HTTP/HTTPS server and client library", "C++", 13050, 2310, "2012-09-22T19:54:04Z"},
    {"nlohmann/json", "JSON for Modern C++", "C++", 43020, 6730, "2013-07-04T08:47:49Z"},
    {"doctest/doctest", "The fastest feature-rich C++11/14/17/20/23 single-header testing framework", "C++", 5980, 650, "2016-03-26T19:37:21Z"},
    {"nodejs/llhttp", "Port of http_parser to llparse", "TypeScript", 1710, 190, "2018-10-20T16:49:08Z"},
    {"openssl/openssl", "TLS/SSL and crypto library", "C", 26010, 10220, "2013-01-15T22:34:48Z"},
    {"libuv/libuv", "Cross-platform asynchronous I/O", "C", 24400, 3620, "2011-03-21T22:45:53Z"},
    {"scylladb/seastar", "High performance server-side application framework", "C++", 8450, 1560, "2014-09-23T13:21:01Z"},
    {"facebook/folly", "An open-source C++ library developed and used at Facebook.", "C++", 28900, 5590, "2012-06-01T20:49:04Z"},
    {"python/cpython", "The Python programming language", "Python", 64900, 30900, "2017-02-10T19:23:51Z"},
    {"aio-libs/aiohttp", "Asynchronous HTTP client/server framework for asyncio and Python", "Python", 15300, 2040, "2013-10-01T18:45:35Z"},
    {"twisted/twisted", "Event-driven networking engine written in Python.", "Python", 5620, 1170, "2015-02-17T14:40:52Z"},
    {"gevent/gevent", "Coroutine-based concurrency library for Python", "Python", 6290, 940, "2012-03-12T11:07:29Z"},
    {"tornadoweb/tornado", "Tornado is a Python web framework and asynchronous networking library", "Python", 21800, 5500, "2009-09-09T04:53:44Z"},
    {"sanic-org/sanic", "Accelerate your web app development | Build fast. Run fast.", "Python", 18100, 1560, "2016-05-26T00:09:55Z"},
    {"redis/redis", "Redis is an in-memory database that persists on disk.", "C", 67900, 23800, "2009-03-21T22:32:25Z"},
    {"memcached/memcached", "memcached development tree", "C", 13700, 3290, "2009-01-17T01:06:00Z"},
    {"postgres/postgres", "Mirror of the official PostgreSQL GIT repository.", "C", 16900, 4800, "2010-09-21T11:35:45Z"},
    {"tokio-rs/tokio", "A runtime for writing reliable asynchronous applications with Rust.", "Rust", 28100, 2610, "2016-09-09T21:02:06Z"},
    {"fmtlib/fmt", "A modern formatting library", "C++", 21400, 2560, "2012-12-07T16:26:46Z"},
};

constexpr std::string_view bench_owner = "workbook-bench/repo-";

json repo_json(const Sample& s, long long id, const std::string& base) {
    const std::string full_name = s.full_name;
    const auto slash = full_name.find('/');
    const std::string owner = full_name.substr(0, slash);
    const std::string name = full_name.substr(slash + 1);
    return json{
        {"id", id},
        {"node_id", "R_kgDO" + std::to_string(id)},
        {"name", name},
        {"full_name", full_name},
        {"private", false},
        {"owner",
         {{"login", owner}, {"id", 1000 + id}, {"type", "Organization"}, {"url", base + "/users/" + owner}}},
        {"html_url", "https://github.com/" + full_name},
        {"description", s.description},
        {"fork", false},
        {"url", base + "/repos/" + full_name},
        {"created_at", s.created_at},
        {"updated_at", "2026-11-01T00:00:00Z"},
        {"pushed_at", "2026-11-01T00:00:00Z"},
        {"stargazers_count", s.stars},
        {"watchers_count", s.stars},
        {"language", s.language},
        {"forks_count", s.forks},
        {"open_issues_count", 42},
        {"default_branch", "main"},
        {"visibility", "public"},
    };
}

std::string github_error(std::string_view message, std::string_view docs) {
    return json{{"message", message}, {"documentation_url", docs}}.dump();
}

http::Response json_response(int status, std::string body) {
    http::Response res;
    res.status = status;
    res.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"Server", "fake-github"}};
    res.body = std::move(body);
    return res;
}

// Pulls "owner/name" out of "/repos/owner/name"; nullopt for any other path.
std::optional<std::string> repo_of(std::string_view path) {
    constexpr std::string_view prefix = "/repos/";
    if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::string_view rest = path.substr(prefix.size());
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || rest.find('/', slash + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(rest);
}

}  // namespace

struct FakeGithub::Impl {
    FakeGithubOptions options;
    asio::io_context loop{1};  // one thread: the stand-in is itself an event loop
    std::optional<asio::ssl::context> tls;
    std::optional<asio::signal_set> signals;  // run() only
    std::unique_ptr<http::Server> server;
    std::thread thread;
    unsigned short http_port = 0;
    unsigned short https_port = 0;
    bool stopped = false;
    std::mutex stop_mutex;
    std::map<std::string, const Sample*, std::less<>> by_name;

    mutable std::mutex stats_mutex;  // stats() is called from other threads
    Stats stats;
    Clock::time_point epoch = Clock::now();

    static constexpr std::size_t max_log = 200'000;

    explicit Impl(FakeGithubOptions o) : options(std::move(o)) {
        for (const auto& s : samples) by_name.emplace(s.full_name, &s);
        http::ServerOptions server_options;
        server_options.head_timeout = options.head_timeout;
        server_options.idle_timeout = options.idle_timeout;
        if (options.verbose) {
            server_options.log = [](std::string_view what) { std::fprintf(stderr, "fake-github: %.*s\n", int(what.size()), what.data()); };
        }
        server = std::make_unique<http::Server>(
            loop.get_executor(), [this](const http::Request& r) { return handle(r); }, server_options);
    }

    long long now_us() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - epoch).count();
    }

    asio::awaitable<http::Response> handle(const http::Request& request) {
        if (request.path == "/_stats" || request.path == "/_stats/reset") co_return stats_endpoint(request);

        // In flight from here (the head is parsed) until just before the
        // response is written: the guard's destructor runs when this
        // coroutine returns, before the server writes what it returned.
        std::size_t index;
        const Clock::time_point started = begin_request(request.path, index);
        struct Guard {
            Impl* self;
            std::size_t index;
            int status = 0;
            ~Guard() { self->end_request(index, status); }
        } guard{this, index};

        const auto repo = repo_of(request.path);
        const Fault fault = repo ? fault_for(*repo) : Fault::none;
        auto delay = options.latency;
        if (repo) {
            if (const auto it = options.latency_for.find(*repo); it != options.latency_for.end()) delay = it->second;
        }
        asio::steady_timer timer(loop.get_executor());
        if (fault == Fault::hang) {
            // Waits until the server's stop cancels it. The client's timeout
            // is what the hang is there to exercise.
            timer.expires_at(Clock::time_point::max());
        } else {
            timer.expires_at(started + delay);
        }
        co_await timer.async_wait(asio::use_awaitable);

        http::Response response = answer(request, repo, fault);
        guard.status = response.status;
        co_return response;
    }

    http::Response answer(const http::Request& request, const std::optional<std::string>& repo, Fault fault) {
        const std::string base = "http://" + std::string(request.header("Host"));
        if (request.query.find("access_token=") != std::string::npos) {
            // The talk sent its token as ?access_token=...; that puts a
            // secret in URLs and logs, and GitHub no longer accepts it.
            return json_response(
                401, github_error("Query-parameter authentication is not accepted: send the token in the "
                                  "Authorization header",
                                  "https://docs.github.com/rest/overview/authenticating-to-the-rest-api"));
        }
        if (!options.token.empty()) {
            const auto auth = request.header("Authorization");
            if (auth != "token " + options.token && auth != "Bearer " + options.token) {
                return json_response(401, github_error(auth.empty() ? "Requires authentication" : "Bad credentials",
                                                       "https://docs.github.com/rest"));
            }
        }
        if (!repo) return json_response(404, github_error("Not Found", "https://docs.github.com/rest"));
        if (request.method != "GET") {
            return json_response(405, github_error("Method Not Allowed", "https://docs.github.com/rest"));
        }
        switch (fault) {
            case Fault::unauthorized:
                return json_response(401, github_error("Bad credentials", "https://docs.github.com/rest"));
            case Fault::rate_limited: {
                auto res = json_response(
                    403, github_error("API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                                      "Authenticated requests get a higher rate limit.)",
                                      "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"));
                const auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count() + 3600;
                res.headers.push_back({"X-RateLimit-Limit", "60"});
                res.headers.push_back({"X-RateLimit-Remaining", "0"});
                res.headers.push_back({"X-RateLimit-Reset", std::to_string(reset)});
                return res;
            }
            case Fault::not_found:
                return json_response(404, github_error("Not Found", "https://docs.github.com/rest/repos/repos#get-a-repository"));
            case Fault::server_error:
                return json_response(500, github_error("Server Error", "https://docs.github.com/rest"));
            case Fault::malformed:
                return json_response(200, "{\"name\": \"" + *repo + "\", \"full_name\": <html>oops</html>");
            default: break;
        }
        auto body = repo_body(*repo, base);
        if (!body) {
            return json_response(404, github_error("Not Found", "https://docs.github.com/rest/repos/repos#get-a-repository"));
        }
        auto res = json_response(200, std::move(*body));
        res.headers.push_back({"X-RateLimit-Limit", options.token.empty() ? "60" : "5000"});
        res.headers.push_back({"X-RateLimit-Remaining", options.token.empty() ? "59" : "4999"});
        if (fault == Fault::truncated) res.ending = http::Ending::truncate;
        if (fault == Fault::reset) res.ending = http::Ending::reset;
        return res;
    }

    std::optional<std::string> repo_body(const std::string& repo, const std::string& base) const {
        if (const auto it = by_name.find(repo); it != by_name.end()) {
            return repo_json(*it->second, 100000 + (it->second - samples), base).dump(2);
        }
        // workbook-bench/repo-N: made up on the spot, N stars.
        if (repo.rfind(bench_owner, 0) == 0) {
            long long n = -1;
            const char* first = repo.data() + bench_owner.size();
            const char* last = repo.data() + repo.size();
            const auto [end, ec] = std::from_chars(first, last, n);
            if (ec == std::errc() && end == last && n >= 0) {
                const Sample s{repo.c_str(), "A repository made up for load tests", "C++", n, 0, "2026-01-01T00:00:00Z"};
                return repo_json(s, 1'000'000 + n, base).dump();
            }
        }
        return std::nullopt;
    }

    Fault fault_for(const std::string& repo) const {
        const auto it = options.faults.find(repo);
        return it == options.faults.end() ? Fault::none : it->second;
    }

    http::Response stats_endpoint(const http::Request& request) {
        if (request.path == "/_stats/reset") {
            if (request.method != "POST") return json_response(405, github_error("Use POST /_stats/reset", ""));
            reset_stats();
            return json_response(200, "{\"reset\": true}");
        }
        return json_response(200, to_json(snapshot()));
    }

    Clock::time_point begin_request(const std::string& path, std::size_t& index) {
        std::lock_guard lock(stats_mutex);
        const Clock::time_point now = Clock::now();
        const long long start = std::chrono::duration_cast<std::chrono::microseconds>(now - epoch).count();
        ++stats.requests;
        stats.max_in_flight = std::max(stats.max_in_flight, ++stats.in_flight);
        index = stats.log.size();
        if (stats.log.size() < max_log) stats.log.push_back({path, 0, start, 0});
        return now;
    }

    void end_request(std::size_t index, int status) {
        std::lock_guard lock(stats_mutex);
        --stats.in_flight;
        // A reset while this request was in flight emptied the log: the
        // request no longer belongs to it.
        if (index < stats.log.size() && stats.log[index].end_us == 0) {
            stats.log[index].status = status;
            stats.log[index].end_us = now_us();
        }
    }

    Stats snapshot() const {
        std::lock_guard lock(stats_mutex);
        return stats;
    }

    void reset_stats() {
        std::lock_guard lock(stats_mutex);
        // Requests in flight stay in flight; only what was counted is cleared.
        stats.requests = 0;
        stats.max_in_flight = stats.in_flight;
        stats.log.clear();
        epoch = Clock::now();
    }
};

FakeGithub::FakeGithub(FakeGithubOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeGithub::~FakeGithub() { stop(); }

unsigned short FakeGithub::listen_http(const std::string& address, unsigned short port) {
    impl_->http_port = impl_->server->listen(address, port);
    return impl_->http_port;
}

unsigned short FakeGithub::listen_https(const std::string& address, unsigned short port,
                                        const std::string& cert_file, const std::string& key_file) {
    auto& tls = impl_->tls.emplace(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    const std::string cert = cert_file.empty() ? stand_in_cert_file() : cert_file;
    const std::string key = key_file.empty() ? stand_in_key_file() : key_file;
    std::error_code ec;
    tls.use_certificate_chain_file(cert, ec);
    if (ec) throw std::runtime_error("cannot load the stand-in's certificate " + cert + ": " + ec.message() + " (build the workbook first: it makes the certificate)");
    tls.use_private_key_file(key, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load the stand-in's key " + key + ": " + ec.message());
    impl_->https_port = impl_->server->listen(address, port, &tls);
    return impl_->https_port;
}

void FakeGithub::start() {
    impl_->thread = std::thread([this] { impl_->loop.run(); });
}

void FakeGithub::run() {
    // In the foreground, Ctrl-C (SIGINT) and SIGTERM stop it gracefully.
    auto& signals = impl_->signals.emplace(impl_->loop, SIGINT, SIGTERM);
    signals.async_wait([this](std::error_code ec, int) {
        if (!ec) impl_->server->stop();
    });
    impl_->loop.run();
}

void FakeGithub::stop() {
    std::lock_guard lock(impl_->stop_mutex);
    if (!impl_->stopped) {
        impl_->stopped = true;
        // The server lives on the loop's thread: ask it there. Once every
        // connection is closed the loop runs out of work and returns.
        asio::post(impl_->loop, [this] {
            impl_->server->stop();
            if (impl_->signals) impl_->signals->cancel();  // or its wait keeps run() going
        });
    }
    if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) impl_->thread.join();
}

ApiConfig FakeGithub::http_api() const {
    ApiConfig api;
    api.scheme = "http";
    api.host = "127.0.0.1";
    api.port = impl_->http_port;
    api.token = impl_->options.token;
    return api;
}

ApiConfig FakeGithub::https_api() const {
    ApiConfig api = http_api();
    api.scheme = "https";
    api.host = "localhost";  // the name in the certificate, so host-name verification has work to do
    api.port = impl_->https_port;
    api.ca_file = stand_in_ca_file();
    return api;
}

Stats FakeGithub::stats() const { return impl_->snapshot(); }

void FakeGithub::reset_stats() { impl_->reset_stats(); }

}  // namespace workbook
