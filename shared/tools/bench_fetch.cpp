// workbook-bench: runs one model of fetching (the chapters' own code) against
// the stand-in named by WORKBOOK_GITHUB_API and prints what it cost, as one
// JSON object or one row of the comparison table. One model per process, so
// each one's peak memory is its own. `./workbook bench fetch` and the table
// of `./workbook run` call it once per model.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "01_sync/exercise.hpp"
#include "02_threads/exercise.hpp"
#include "03_processes/exercise.hpp"
#include "04_futures/exercise.hpp"
#include "07_async_http/exercise.hpp"
#include "08_bounded/exercise.hpp"
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include "workbook/blocking_client.hpp"
#include "workbook/fake_github.hpp"
#include "workbook/limits.hpp"
#include "workbook/resources.hpp"
#include "workbook/timeline.hpp"
#include "workbook/timing.hpp"

namespace {

constexpr const char* usage =
    "usage: workbook-bench --model sync|threads|processes|futures|asio|asio-bounded [--workers W] [--limit L]\n"
    "                      [--repos N | --talk] [--latency MS] [--json | --row]\n"
    "                      [--timeline FILE.svg [--timeline-span MS]]\n"
    "Runs one model against the stand-in at WORKBOOK_GITHUB_API, which must run with --latency MS.\n"
    "W: threads or processes (sync: 1; asio: one per repository); L: asio-bounded's limit.\n";

struct Options {
    std::string model;
    int workers = 5;
    int repos = 100;
    bool talk = false;  // the talk's twenty repositories instead of made-up ones
    int limit = 100;
    long latency_ms = 100;
    bool json = true;
    std::string timeline;  // where to write the picture of the requests, if anywhere
    long timeline_span_ms = 0;  // 0: as long as the run
};

// What the bench asks of the event loop's models: one loop, on this thread.
std::vector<workbook::FetchResult> run_on_loop(asio::awaitable<std::vector<workbook::FetchResult>> batch) {
    asio::io_context loop(1);
    std::vector<workbook::FetchResult> results;
    asio::co_spawn(loop, std::move(batch), [&](std::exception_ptr e, std::vector<workbook::FetchResult> r) {
        if (e) std::rethrow_exception(e);
        results = std::move(r);
    });
    loop.run();
    return results;
}

workbook::Stats stand_in_stats(httplib::Client& client, bool reset) {
    const auto result = reset ? client.Post("/_stats/reset") : client.Get("/_stats");
    if (!result || result->status != 200) {
        throw std::runtime_error("cannot reach the stand-in's /_stats at WORKBOOK_GITHUB_API: is it running?");
    }
    return reset ? workbook::Stats{} : workbook::stats_from_json(result->body);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << flag << " needs a value\n" << usage;
                std::exit(2);
            }
            return argv[++i];
        };
        if (flag == "--model") o.model = value();
        else if (flag == "--workers") o.workers = std::atoi(value().c_str());
        else if (flag == "--repos") o.repos = std::atoi(value().c_str());
        else if (flag == "--latency") o.latency_ms = std::atol(value().c_str());
        else if (flag == "--limit") o.limit = std::atoi(value().c_str());
        else if (flag == "--timeline") o.timeline = value();
        else if (flag == "--timeline-span") o.timeline_span_ms = std::atol(value().c_str());
        else if (flag == "--talk") o.talk = true;
        else if (flag == "--json") o.json = true;
        else if (flag == "--row") o.json = false;
        else {
            std::cerr << "unknown option " << flag << "\n" << usage;
            return 2;
        }
    }
    if (o.model == "sync") o.workers = 1;
    if (o.model == "asio") o.workers = o.talk ? 20 : o.repos;  // unbounded: one request in flight per repository
    if (o.model == "asio-bounded") o.workers = o.limit;       // the limit plays the part of the workers
    if (o.workers < 1 || o.repos < 1 || o.latency_ms < 0) {
        std::cerr << usage;
        return 2;
    }

    try {
        const auto api = workbook::api_config_from_env();
        std::vector<std::string> names;
        if (o.talk) {
            names = workbook::repositories();
        } else {
            for (int i = 0; i < o.repos; ++i) names.push_back("workbook-bench/repo-" + std::to_string(i));
        }
        {
            // Scoped: closed before the processes model forks.
            auto control = workbook::make_blocking_client(api);
            stand_in_stats(*control, /*reset=*/true);
        }

        std::size_t failed = 0;
        int threads = 1, processes = 1;
        // CPU is counted from here: what the fetching costs, not starting
        // the process (loading its libraries alone is about 15 ms).
        const auto before = workbook::resource_usage();
        workbook::Stopwatch stopwatch;
        if (o.model == "sync") {
            for (const auto& r : chapter01::fetch_all(api, names)) failed += !r.ok();
        } else if (o.model == "threads") {
            for (const auto& r : chapter02::fetch_all(api, names, o.workers)) failed += !r.ok();
            threads += o.workers;
        } else if (o.model == "processes") {
            for (const auto& r : chapter03::fetch_all(api, names, o.workers)) failed += !r.result.ok();
            processes += o.workers;
        } else if (o.model == "futures") {
            chapter04::ThreadPool pool(o.workers);
            for (const auto& r : chapter04::map_in_order(pool, names, chapter04::fetch_with_client_per_thread(api))) {
                failed += !r.ok();
            }
            threads += o.workers;
        } else if (o.model == "asio" || o.model == "asio-bounded") {
            // Every request in flight is a socket: raise the open-file limit first.
            const long files = workbook::raise_open_file_limit();
            const auto sockets = static_cast<long>(std::min<std::size_t>(names.size(), o.workers));
            if (files < sockets + 50) {
                std::fprintf(stderr, "WARN: %s: %ld open files allowed, fewer than %ld requests in flight need\n",
                             o.model.c_str(), files, sockets);
            }
            const auto results = o.model == "asio"
                                     ? run_on_loop(chapter07::fetch_all(api, names))
                                     : run_on_loop(chapter08::fetch_all(api, names, static_cast<std::size_t>(o.limit)));
            for (const auto& r : results) failed += !r.ok();
            threads += 1;  // Asio's own helper thread for getaddrinfo, which blocks
        } else {
            std::cerr << "unknown model \"" << o.model << "\"\n" << usage;
            return 2;
        }
        const double wall_ms = stopwatch.elapsed().count() * 1000;
        const auto usage = workbook::resource_usage();
        const long long cpu_ms = usage.cpu_ms - before.cpu_ms;
        auto control = workbook::make_blocking_client(api);
        const auto stats = stand_in_stats(*control, /*reset=*/false);

        // Processes have memory of their own: the parent's peak plus each
        // worker's, estimated by the largest worker's.
        const long long peak_kb = usage.peak_rss_kb + (processes - 1) * usage.children_peak_rss_kb;
        const int n = static_cast<int>(names.size());
        const double ideal_ms = std::ceil(static_cast<double>(n) / o.workers) * static_cast<double>(o.latency_ms);
        const double ratio = ideal_ms > 0 ? wall_ms / ideal_ms : 0;
        if (!o.timeline.empty()) {
            char subtitle[160];
            std::snprintf(subtitle, sizeof subtitle, "%.0f ms (%.2f x the ideal), at most %lld in flight, latency %ld ms",
                          wall_ms, ratio, stats.max_in_flight, o.latency_ms);
            const std::string how = o.model == "sync"           ? "one at a time"
                                    : o.model == "asio"         ? "all at once, one thread"
                                    : o.model == "asio-bounded" ? "at most " + std::to_string(o.limit) + " at once, one thread"
                                    : o.model == "processes"    ? std::to_string(o.workers) + " processes"
                                                                : std::to_string(o.workers) + " threads";
            workbook::write_timeline_svg(o.timeline, stats.log,
                                         {o.model + ": " + std::to_string(n) + " requests, " + how, subtitle,
                                          o.timeline_span_ms * 1000LL});
        }

        if (o.json) {
            const nlohmann::json row = {
                {"model", o.model},          {"workers", o.workers},
                {"repos", n},                {"latency_ms", o.latency_ms},
                {"wall_ms", std::round(wall_ms * 10) / 10},
                {"max_in_flight", stats.max_in_flight},
                {"cpu_ms", cpu_ms},          {"peak_rss_kb", peak_kb},
                {"threads", threads},        {"processes", processes},
                {"failed", failed},          {"ideal_ms", ideal_ms},
            };
            std::cout << row.dump() << std::endl;
        } else {
            std::printf("%-12s %7d %6d %10.0f %7.2fx %13lld %10.1f %8lld %10s\n", o.model.c_str(), o.workers, n,
                        wall_ms, ratio, stats.max_in_flight, peak_kb / 1024.0, cpu_ms,
                        (std::to_string(threads) + "t/" + std::to_string(processes) + "p").c_str());
        }
        // Targets: the blocking models within 10% of their ideal; the bounded
        // loop within 20% (each of its rounds also waits for the server to
        // answer `limit` requests, about 100 us each on two shared cores);
        // the unbounded loop within 2x the latency up to 1,000 requests and
        // 10x beyond; both loops at no more than 70 us of CPU per request.
        const bool loop_model = o.model == "asio" || o.model == "asio-bounded";
        const double target = o.model == "asio-bounded" ? 1.20 : o.model != "asio" ? 1.10 : n <= 1000 ? 2.0 : 10.0;
        if (ratio > target) {
            std::fprintf(stderr, "WARN: %s took %.0f ms, %.2f x its ideal of %.0f ms (ceil(%d / %d) x %ld ms); target %.2f x\n",
                         o.model.c_str(), wall_ms, ratio, ideal_ms, n, o.workers, o.latency_ms, target);
        }
        // Judged from 1,000 requests up: below that, what a batch pays once
        // (the client and its TLS context, the first connections) outweighs
        // the requests.
        const double cpu_us_per_request = cpu_ms * 1000.0 / n;
        if (loop_model && n >= 1000 && cpu_us_per_request > 70) {
            std::fprintf(stderr, "WARN: %s used %.0f us of CPU per request; target 70 us\n", o.model.c_str(),
                         cpu_us_per_request);
        }
        if (failed > 0) {
            std::fprintf(stderr, "WARN: %s: %zu of %d repositories failed\n", o.model.c_str(), failed, n);
        }
        if (stats.requests != n) {
            std::fprintf(stderr, "WARN: %s: the stand-in counted %lld requests for %d repositories\n",
                         o.model.c_str(), stats.requests, n);
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "workbook-bench: " << e.what() << "\n";
        return 1;
    }
}
