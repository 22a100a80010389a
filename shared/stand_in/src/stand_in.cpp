#include "workbook/stand_in.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "workbook/http_message.hpp"
#include "workbook/http_server.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/paths.hpp"

#include "body_template.hpp"
#include "etag.hpp"
#include "sample_data.hpp"

namespace workbook {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace stand_in_parts;  // sample_data.hpp, body_template.hpp, etag.hpp

namespace {

// {"message": ..., "documentation_url": ...}, in GitHub's order.
std::string github_error(std::string_view message, std::string_view docs) {
    return nlohmann::ordered_json{{"message", message}, {"documentation_url", docs}}.dump();
}

http::Response json_response(int status, std::string body) {
    http::Response res;
    res.status = status;
    // Room for what answer() adds (caching headers, an ETag, five
    // X-RateLimit-*), so the headers are written in place and never moved.
    res.headers.reserve(10);
    res.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
    res.headers.push_back({"Server", "fake-github"});
    res.body = std::move(body);
    return res;
}

constexpr const char* rate_limit_docs =
    "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting";

// Pulls "owner/name" out of "/repos/owner/name"; nullopt for any other path,
// "/repos/owner/name/" included: GitHub answers that 404.
std::optional<std::string> repo_of(std::string_view path) {
    constexpr std::string_view prefix = "/repos/";
    if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string_view rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
        rest.find('/', slash + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(rest);
}

}  // namespace

namespace {

// This process's CPU, user and system, all threads, in microseconds.
long long process_cpu_us() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto us = [](const timeval& t) { return t.tv_sec * 1'000'000LL + t.tv_usec; };
    return us(usage.ru_utime) + us(usage.ru_stime);
}

}  // namespace

struct StandIn::Impl {
    StandInOptions options;
    asio::io_context loop{1};  // one thread: the stand-in is itself an event loop
    std::optional<asio::ssl::context> tls;
    std::optional<asio::signal_set> signals;  // run() only
    std::unique_ptr<http::Server> server;
    std::thread thread;
    unsigned short http_port = 0;
    unsigned short https_port = 0;
    bool stopped = false;
    std::mutex stop_mutex;
    bool stopping = false;  // on the loop's thread: the server's stop() was called

    // Bodies made once, here; looked up without regard to case.
    std::map<std::string, std::size_t, NoCaseLess>
        by_name;  // -> index in samples and sample_bodies
    std::vector<BodyTemplate> sample_bodies;
    BodyTemplate bench_body;
    // The options' per-repository faults and delays, by lower-case name.
    std::map<std::string, Fault, std::less<>> faults;
    std::map<std::string, std::chrono::milliseconds, std::less<>> latency_for;

    mutable std::mutex stats_mutex;  // stats() is called from other threads
    Stats stats;
    std::uint64_t generation = 0;  // one more at each reset
    Clock::time_point epoch = Clock::now();
    long long cpu_at_reset = process_cpu_us();  // for cpu_us_per_request

    // Rate-limit counts per client, for the hour that started with its first
    // counted request. Reset from other threads too (reset_stats()).
    struct Quota {
        long long used = 0;
        long long reset = 0;  // when the hour ends, in seconds since 1970; 0: not started
    };
    std::mutex quota_mutex;
    std::unordered_map<std::string, Quota> quotas;

    explicit Impl(StandInOptions o) : options(std::move(o)) {
        using ojson = nlohmann::ordered_json;
        for (std::size_t i = 0; i < std::size(samples); ++i) {
            const Sample& s = samples[i];
            const long long id = 100000 + static_cast<long long>(i);
            by_name.emplace(s.full_name, i);
            // Pretty, as api.github.com sends it.
            sample_bodies.emplace_back(
                repo_json(s, s.full_name, id, node_id("Repository", id), s.stars, 1000 + id)
                    .dump(2));
        }
        const Sample bench{"",
                           "Organization",
                           "A repository made up for load tests",
                           "",
                           "C++",
                           "mit",
                           "benchmark",
                           "main",
                           0,
                           0,
                           0,
                           12,
                           "2026-01-01T00:00:00Z"};
        // Compact: the load tests read thousands of these.
        bench_body =
            BodyTemplate(repo_json(bench, std::string(bench_owner) + "{{n}}", ojson("{{#id}}"),
                                   ojson("{{node}}"), ojson("{{#n}}"), bench_owner_id)
                             .dump());
        for (const auto& [name, fault] : options.faults) faults.emplace(lower(name), fault);
        for (const auto& [name, delay] : options.latency_for)
            latency_for.emplace(lower(name), delay);

        http::ServerOptions server_options;
        server_options.head_timeout = options.head_timeout;
        server_options.idle_timeout = options.idle_timeout;
        if (options.verbose) {
            server_options.log = [](std::string_view what) {
                std::fprintf(stderr, "fake-github: %.*s\n", int(what.size()), what.data());
            };
        }
        server = std::make_unique<http::Server>(
            loop.get_executor(), [this](const http::Request& r) { return handle(r); },
            server_options);
    }

    long long now_us() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - epoch).count();
    }

    asio::awaitable<http::Response> handle(const http::Request& request) {
        if (request.path == "/_stats" || request.path == "/_stats/reset")
            co_return stats_endpoint(request);

        // In flight from here (the head is parsed) until just before the
        // response is written: the guard's destructor runs when this
        // coroutine returns, before the server writes what it returned.
        std::size_t index;
        std::uint64_t logged_in;
        const Clock::time_point started = begin_request(request.path, index, logged_in);
        struct Guard {
            Impl* self;
            std::size_t index;
            std::uint64_t generation;
            int status = 0;
            ~Guard() { self->end_request(index, generation, status); }
        } guard{this, index, logged_in};

        // /repositories/ID is where a renamed repository's 301 points (as on
        // GitHub): the repository itself, without its fault.
        auto repo = repo_of(request.path);
        const bool by_id = !repo && (repo = repo_by_id(request.path));
        const std::string key = repo ? lower(*repo) : std::string();
        Fault fault = Fault::none;
        auto delay = options.latency;
        if (repo) {
            if (const auto it = faults.find(key); it != faults.end() && !by_id) fault = it->second;
            if (const auto it = latency_for.find(key); it != latency_for.end()) delay = it->second;
        }
        asio::steady_timer timer(loop.get_executor());
        if (fault != Fault::hang && delay.count() <= 0) {
            // No latency asked for: answer at once, without a timer's round trip.
            http::Response response = answer(request, repo, fault);
            guard.status = response.status;
            co_return response;
        }
        if (fault == Fault::hang) {
            // Waits until the server's stop cancels it. The client's timeout
            // is what the hang is there to exercise.
            timer.expires_at(Clock::time_point::max());
        } else {
            // Rounded up to the millisecond: the requests of one millisecond
            // then wake together, one timer expiry for all of them instead
            // of one each (each costs the event loop a wake-up and a
            // timerfd_settime()). The latency is at most 1 ms longer.
            timer.expires_at(std::chrono::ceil<std::chrono::milliseconds>(started + delay));
        }
        auto [waited] = co_await timer.async_wait(nothrow);
        if (waited == asio::error::operation_aborted) {
            // Cut short: by stop() (a hang), or because the client hung up
            // (the server cancels the handler): nginx logs the latter 499.
            if (!stopping) guard.status = 499;
            throw asio::system_error(waited);
        }

        http::Response response = answer(request, repo, fault);
        guard.status = response.status;
        co_return response;
    }

    // Who a request counts against: the token it sends, else its address.
    struct Client {
        std::string key;
        long long limit;
        bool token;
    };
    Client client_of(const http::Request& request) const {
        std::string_view auth = request.header("Authorization");
        if (auth.empty())
            return {"address " + request.peer, options.rate_limit.without_token, false};
        if (const auto space = auth.find(' '); space != std::string_view::npos)
            auth.remove_prefix(space + 1);
        return {"token " + std::string(auth), options.rate_limit.with_token, true};
    }

    // Counts the request against its client's hour (unless `count` is
    // false), then writes GitHub's X-RateLimit-* headers. `exhausted`: the
    // headers of a 403 for the limit, which GitHub does not count.
    void rate_limit(http::Response& res, const Client& client, bool count, bool exhausted = false) {
        const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        long long used, reset;
        {
            std::lock_guard lock(quota_mutex);
            Quota& q = quotas[client.key];
            if (q.reset <= now) q = {0, now + 3600};  // a new hour
            if (count) ++q.used;
            used = exhausted ? std::max(q.used, client.limit) : q.used;
            reset = q.reset;
        }
        res.headers.push_back({"X-RateLimit-Limit", std::to_string(client.limit)});
        res.headers.push_back(
            {"X-RateLimit-Remaining", std::to_string(std::max(0LL, client.limit - used))});
        res.headers.push_back({"X-RateLimit-Reset", std::to_string(reset)});
        res.headers.push_back({"X-RateLimit-Used", std::to_string(used)});
        res.headers.push_back({"X-RateLimit-Resource", "core"});
    }

    bool limit_reached(const Client& client) {
        const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        std::lock_guard lock(quota_mutex);
        const auto it = quotas.find(client.key);
        return it != quotas.end() && it->second.reset > now && it->second.used >= client.limit;
    }

    // GitHub's answer once a client has used its hour's requests: the same
    // for the limit reached and for fault 403.
    http::Response rate_limited(const http::Request& request, const Client& client) {
        const std::string who = client.token ? "user ID 583231" : request.peer;
        auto res = json_response(
            403,
            github_error(
                "API rate limit exceeded for " + who + "." +
                    (client.token
                         ? ""
                         : " (But here's the good news: Authenticated requests get a "
                           "higher rate limit. Check out the documentation for more details.)"),
                rate_limit_docs));
        rate_limit(res, client, false, true);
        return res;
    }

    http::Response answer(const http::Request& request, const std::optional<std::string>& repo,
                          Fault fault) {
        const Client client = client_of(request);
        const auto counted = [&](http::Response res) {
            rate_limit(res, client, true);
            return res;
        };
        if (request.query.find("access_token=") != std::string::npos) {
            // The talk sent its token as ?access_token=...; that puts a
            // secret in URLs and logs, and GitHub no longer accepts it.
            return counted(json_response(
                401, github_error(
                         "Query-parameter authentication is not accepted: send the token in the "
                         "Authorization header",
                         "https://docs.github.com/rest/overview/authenticating-to-the-rest-api")));
        }
        if (!options.token.empty()) {
            const auto auth = request.header("Authorization");
            if (auth != "token " + options.token && auth != "Bearer " + options.token) {
                return counted(json_response(
                    401, github_error(auth.empty() ? "Requires authentication" : "Bad credentials",
                                      "https://docs.github.com/rest")));
            }
        }
        if (limit_reached(client)) return rate_limited(request, client);
        if (!repo)
            return counted(
                json_response(404, github_error("Not Found", "https://docs.github.com/rest")));
        if (request.method != "GET" && request.method != "HEAD") {
            auto res = json_response(
                405, github_error("Method Not Allowed", "https://docs.github.com/rest"));
            res.headers.push_back({"Allow", "GET, HEAD"});
            return counted(std::move(res));
        }
        switch (fault) {
            case Fault::unauthorized:
                return counted(json_response(
                    401, github_error("Bad credentials", "https://docs.github.com/rest")));
            case Fault::rate_limited:
                return rate_limited(request, client);
            case Fault::not_found:
                return counted(json_response(
                    404,
                    github_error("Not Found",
                                 "https://docs.github.com/rest/repos/repos#get-a-repository")));
            case Fault::server_error:
                return counted(json_response(
                    500, github_error("Server Error", "https://docs.github.com/rest")));
            case Fault::malformed:
                return counted(json_response(
                    200, "{\"name\": \"" + *repo + "\", \"full_name\": <html>oops</html>"));
            default:
                break;
        }
        const std::string base =
            (request.tls ? "https://" : "http://") + std::string(request.header("Host"));
        if (fault == Fault::moved || fault == Fault::redirect_loop) {
            // GitHub's answer for a renamed repository: 301 to its lasting
            // address, /repositories/ID. The loop points at itself.
            const auto it = by_name.find(*repo);
            const std::string location =
                fault == Fault::redirect_loop || it == by_name.end()
                    ? base + request.target
                    : base + "/repositories/" + std::to_string(100000 + it->second);
            auto res = json_response(
                301,
                nlohmann::ordered_json{{"message", "Moved Permanently"},
                                       {"url", location},
                                       {"documentation_url",
                                        "https://docs.github.com/rest/guides/"
                                        "best-practices-for-using-the-rest-api#follow-redirects"}}
                    .dump());
            res.headers.push_back({"Location", location});
            return counted(std::move(res));
        }
        auto body = repo_body(*repo, base);
        if (!body) {
            return counted(json_response(
                404, github_error("Not Found",
                                  "https://docs.github.com/rest/repos/repos#get-a-repository")));
        }
        const std::string etag = etag_of(*body);
        const auto if_none_match = request.header("If-None-Match");
        auto res = json_response(200, std::move(*body));
        const bool not_modified = !if_none_match.empty() && none_match(if_none_match, etag);
        if (not_modified) {
            res.status = 304;
            res.body.clear();
        }
        res.headers.push_back({"Cache-Control", client.token ? "private, max-age=60, s-maxage=60"
                                                             : "public, max-age=60, s-maxage=60"});
        res.headers.push_back({"Vary", "Accept, Authorization"});
        res.headers.push_back({"ETag", etag});
        // GitHub's rule for conditional requests: a 304 is free only for a
        // request made with a token ("correctly authorized").
        rate_limit(res, client, !(not_modified && client.token));
        if (!not_modified && fault == Fault::truncated) res.ending = http::Ending::truncate;
        if (!not_modified && fault == Fault::reset) res.ending = http::Ending::reset;
        return res;
    }

    // The repository at /repositories/ID (a sample's ID: 100000 and up).
    std::optional<std::string> repo_by_id(std::string_view path) const {
        constexpr std::string_view prefix = "/repositories/";
        if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
        const std::string_view digits = path.substr(prefix.size());
        std::size_t id = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
        if (ec != std::errc() || end != digits.data() + digits.size() || id < 100000 ||
            id - 100000 >= std::size(samples))
            return std::nullopt;
        return std::string(samples[id - 100000].full_name);
    }

    std::optional<std::string> repo_body(std::string_view repo, std::string_view base) const {
        if (const auto it = by_name.find(repo); it != by_name.end()) {
            return sample_bodies[it->second].render({base, 0});
        }
        // workbook-bench/repo-N: N written as a number is, without leading
        // zeros (repo-007 is another name, and no repository).
        if (repo.size() > bench_owner.size() &&
            http::equal_nocase(repo.substr(0, bench_owner.size()), bench_owner)) {
            const std::string_view digits = repo.substr(bench_owner.size());
            long long n = -1;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
            if (ec == std::errc() && end == digits.data() + digits.size() && n >= 0 &&
                (digits.size() == 1 || digits.front() != '0') && n < 1'000'000'000'000LL) {
                return bench_body.render({base, n});
            }
        }
        return std::nullopt;
    }

    http::Response stats_endpoint(const http::Request& request) {
        const bool reset = request.path == "/_stats/reset";
        const bool allowed = reset ? request.method == "POST"
                                   : (request.method == "GET" || request.method == "HEAD");
        if (!allowed) {
            auto res = json_response(
                405, github_error(reset ? "Use POST /_stats/reset" : "Use GET /_stats", ""));
            res.headers.push_back({"Allow", reset ? "POST" : "GET, HEAD"});
            return res;
        }
        if (reset) {
            reset_stats();
            return json_response(200, "{\"reset\": true}");
        }
        Stats now = snapshot();
        now.connections = std::max(0LL, now.connections - 1);  // not the one asking
        return json_response(200, to_json(now));
    }

    Clock::time_point begin_request(const std::string& path, std::size_t& index,
                                    std::uint64_t& logged_in) {
        std::lock_guard lock(stats_mutex);
        const Clock::time_point now = Clock::now();
        const long long start =
            std::chrono::duration_cast<std::chrono::microseconds>(now - epoch).count();
        ++stats.requests;
        stats.max_in_flight = std::max(stats.max_in_flight, ++stats.in_flight);
        index = stats.log.size();
        logged_in = generation;
        if (stats.log.size() < options.max_log) {
            stats.log.push_back({path, 0, start, 0});
        } else {
            ++stats.log_dropped;
            index = std::numeric_limits<std::size_t>::max();
        }
        return now;
    }

    void end_request(std::size_t index, std::uint64_t logged_in, int status) {
        std::lock_guard lock(stats_mutex);
        --stats.in_flight;
        // A reset while this request was in flight emptied the log: the
        // request no longer belongs to it, and its index may be another's.
        if (logged_in == generation && index < stats.log.size()) {
            stats.log[index].status = status;
            stats.log[index].end_us = now_us();
        }
    }

    Stats snapshot() const {
        std::lock_guard lock(stats_mutex);
        Stats copy = stats;
        if (server) copy.connections = static_cast<long long>(server->connections());
        if (copy.requests > 0)
            copy.cpu_us_per_request = static_cast<double>(process_cpu_us() - cpu_at_reset) /
                                      static_cast<double>(copy.requests);
        return copy;
    }

    void reset_stats() {
        {
            std::lock_guard lock(stats_mutex);
            // Requests in flight stay in flight; only what was counted is cleared.
            stats.requests = 0;
            stats.max_in_flight = stats.in_flight;
            stats.log.clear();
            stats.log_dropped = 0;
            ++generation;
            epoch = Clock::now();
            cpu_at_reset = process_cpu_us();
        }
        std::lock_guard lock(quota_mutex);
        quotas.clear();
    }
};

StandIn::StandIn(StandInOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

StandIn::~StandIn() {
    stop();
}

unsigned short StandIn::listen_http(const std::string& address, unsigned short port) {
    impl_->http_port = impl_->server->listen(address, port);
    return impl_->http_port;
}

unsigned short StandIn::listen_https(const std::string& address, unsigned short port,
                                     const std::string& cert_file, const std::string& key_file) {
    auto& tls = impl_->tls.emplace(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    const std::string cert = cert_file.empty() ? stand_in_cert_file() : cert_file;
    const std::string key = key_file.empty() ? stand_in_key_file() : key_file;
    std::error_code ec;
    tls.use_certificate_chain_file(cert, ec);
    if (ec)
        throw std::runtime_error("cannot load the stand-in's certificate " + cert + ": " +
                                 ec.message() +
                                 " (build the workbook first: it makes the certificate)");
    tls.use_private_key_file(key, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load the stand-in's key " + key + ": " + ec.message());
    impl_->https_port = impl_->server->listen(address, port, &tls);
    return impl_->https_port;
}

void StandIn::start() {
    impl_->thread = std::thread([this] { impl_->loop.run(); });
}

void StandIn::run() {
    // In the foreground, Ctrl-C (SIGINT) and SIGTERM stop it gracefully.
    auto& signals = impl_->signals.emplace(impl_->loop, SIGINT, SIGTERM);
    signals.async_wait([this](std::error_code ec, int) {
        if (ec) return;
        impl_->stopping = true;
        impl_->server->stop();
    });
    impl_->loop.run();
}

void StandIn::stop() {
    std::lock_guard lock(impl_->stop_mutex);
    if (!impl_->stopped) {
        impl_->stopped = true;
        // The server lives on the loop's thread: ask it there. Once every
        // connection is closed the loop runs out of work and returns.
        asio::post(impl_->loop, [this] {
            impl_->stopping = true;
            impl_->server->stop();
            if (impl_->signals) impl_->signals->cancel();  // or its wait keeps run() going
        });
    }
    if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id())
        impl_->thread.join();
}

ApiConfig StandIn::http_api() const {
    ApiConfig api;
    api.scheme = "http";
    api.host = "127.0.0.1";
    api.port = impl_->http_port;
    api.token = impl_->options.token;
    return api;
}

ApiConfig StandIn::https_api() const {
    ApiConfig api = http_api();
    api.scheme = "https";
    api.host =
        "localhost";  // the name in the certificate, so host-name verification has work to do
    api.port = impl_->https_port;
    api.ca_file = stand_in_ca_file();
    return api;
}

Stats StandIn::stats() const {
    return impl_->snapshot();
}

void StandIn::reset_stats() {
    impl_->reset_stats();
}

}  // namespace workbook
