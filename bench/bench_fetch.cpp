// workbook-bench: the comparison of the fetching models (the chapters' own
// code) against the stand-in named by WORKBOOK_GITHUB_API.
//
// Without --model it is the whole comparison: it runs every model (or those
// of --models) in a fresh process of its own, so that each one's peak memory
// is its own, prints the table's header and one row per model (or one JSON
// object each with --json), skips a blocking model whose ideal alone exceeds a
// minute unless it was named, prints the CPU of the event loop per request as
// a ratio to the floor's (a minimal client measured in the same run; from
// 1,000 requests on, the median of three interleaved rounds), and writes
// index.html beside the timelines. Where there are two cores it runs the
// floor and the loops on the first (the runner puts the stand-in on the last). With --model it runs
// that one model in this process: what the first mode does for each.
//
// The models: sync (chapter 01), threads (02), processes (03), futures (04),
// asio (07), asio-bounded (08), and floor (bench/floor.cpp).
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <limits>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include "01_sync/exercise.hpp"
#include "02_threads/exercise.hpp"
#include "03_processes/exercise.hpp"
#include "04_futures/exercise.hpp"
#include "07_async_http/exercise.hpp"
#include "08_bounded/exercise.hpp"
#include "floor.hpp"
#include "workbook/blocking_client.hpp"
#include "workbook/limits.hpp"
#include "workbook/resources.hpp"
#include "workbook/stand_in_stats.hpp"
#include "workbook/timeline.hpp"
#include "workbook/timing.hpp"
#include "workbook/whole_number.hpp"

extern char** environ;

namespace {

constexpr const char* usage =
    "usage: workbook-bench [--models a,b,...] [--workers W] [--limit L] [--repos N | --talk] [--latency MS]\n"
    "                      [--json] [--timeline DIR [--timeline-span MS]]\n"
    "       workbook-bench --model M [the same options; --timeline FILE.svg]\n"
    "Runs the models (sync threads processes futures asio asio-bounded floor; by default all) against the\n"
    "stand-in at WORKBOOK_GITHUB_API, which must run with --latency MS, each in a process of its own.\n"
    "W: threads or processes (sync: 1; asio and floor: one per repository); L: asio-bounded's limit.\n";

const std::vector<std::string> all_models = {"sync", "threads",      "processes", "futures",
                                             "asio", "asio-bounded", "floor"};

struct Options {
    std::string model;
    std::vector<std::string> models;     // --models: named, so never skipped
    std::vector<std::string> passed_on;  // the options every model's process gets
    int workers = 5;
    int repos = 100;
    bool talk = false;  // the talk's twenty repositories instead of made-up ones
    int limit = 100;
    long latency_ms = 100;
    bool json = false;
    std::string timeline;       // where to write the picture(s) of the requests, if anywhere
    long timeline_span_ms = 0;  // 0: as long as the run
};

// What the bench asks of the event loop's models: one loop, on this thread.
std::vector<workbook::FetchResult> run_on_loop(
    asio::awaitable<std::vector<workbook::FetchResult>> batch) {
    asio::io_context loop(1);
    std::vector<workbook::FetchResult> results;
    asio::co_spawn(loop, std::move(batch),
                   [&](std::exception_ptr e, std::vector<workbook::FetchResult> r) {
                       if (e) std::rethrow_exception(e);
                       results = std::move(r);
                   });
    loop.run();
    return results;
}

void print_header() {
    std::printf("%-14s %7s %6s %10s %8s %13s %10s %8s %10s %14s\n", "model", "workers", "repos",
                "wall ms", "/ideal", "max in flight", "peak MiB", "cpu ms", "used",
                "stand-in us/req");
    std::fflush(stdout);  // before the models' own lines on stderr
}

void print_row(const nlohmann::json& row) {
    const double ideal = row["ideal_ms"].get<double>();
    const double wall = row["wall_ms"].get<double>();
    std::printf("%-14s %7d %6d %10.0f %7.2fx %13lld %10.1f %8lld %10s %14.1f\n",
                row["model"].get<std::string>().c_str(), row["workers"].get<int>(),
                row["repos"].get<int>(), wall, ideal > 0 ? wall / ideal : 0.0,
                row["max_in_flight"].get<long long>(), row["peak_rss_kb"].get<double>() / 1024.0,
                row["cpu_ms"].get<long long>(),
                (std::to_string(row["threads"].get<int>()) + "t/" +
                 std::to_string(row["processes"].get<int>()) + "p")
                    .c_str(),
                row.value("stand_in_cpu_us_per_request", 0.0));
    std::fflush(stdout);
}

// Runs `self --model MODEL --json ...` and returns the JSON object it
// printed; its stderr (WARN lines, errors) goes straight to ours.
std::optional<nlohmann::json> run_model_process(const char* self, const std::string& model,
                                                const std::vector<std::string>& options) {
    std::vector<std::string> args = {self, "--model", model, "--json"};
    args.insert(args.end(), options.begin(), options.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, self, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawned != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot start " + std::string(self) + " for the " + model +
                                 " model");
    }
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const auto start = text.rfind('{');
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || start == std::string::npos)
        return std::nullopt;
    return nlohmann::json::parse(text.substr(start));
}

// On a machine with two cores or more, the floor and the event loops (one
// thread each) run on the first core; the runner puts the stand-in on the
// last (./workbook bench). Then their CPU is not shared with the server's,
// and the rounds whose ratio is judged vary much less. The thread and
// process models keep every core: squeezed onto one, their workers would
// only take turns.
void pin_to_first_core() {
    if (std::thread::hardware_concurrency() < 2) return;
    cpu_set_t cores;
    CPU_ZERO(&cores);
    CPU_SET(0, &cores);
    sched_setaffinity(0, sizeof cores, &cores);  // where it is refused, the figures only vary more
}

// The whole comparison: one process per model, then the ratios.
int run_all(const Options& o, const char* self) {
    const bool named = !o.models.empty();
    const auto& models = named ? o.models : all_models;
    if (!o.timeline.empty()) {
        std::error_code error;
        std::filesystem::create_directories(o.timeline, error);
        if (error) {
            std::cerr << "workbook-bench: cannot make the folder " << o.timeline << ": "
                      << error.message() << "\n";
            return 1;
        }
    }
    if (!o.json) print_header();
    std::map<std::string, nlohmann::json> rows;
    int code = 0;
    for (const auto& model : models) {
        // A blocking model at ten thousand repositories would wait for many
        // minutes: skipped unless it was named.
        const int workers = model == "sync" ? 1 : model == "asio-bounded" ? o.limit : o.workers;
        const long long repos = o.talk ? 20 : o.repos;
        const bool blocking =
            model == "sync" || model == "threads" || model == "processes" || model == "futures";
        const long long ideal_ms = (repos + workers - 1) / workers * o.latency_ms;
        if (blocking && ideal_ms > 60'000 && !named) {
            std::fprintf(stderr,
                         "%-14s skipped: its ideal alone is %lld s; ask for it with --models %s\n",
                         model.c_str(), ideal_ms / 1000, model.c_str());
            continue;
        }
        auto options = o.passed_on;
        if (!o.timeline.empty()) {
            options.push_back("--timeline");
            options.push_back(o.timeline + "/timeline-" + model + ".svg");
        }
        const auto row = run_model_process(self, model, options);
        if (!row) {
            std::fprintf(stderr, "%-14s failed (see above)\n", model.c_str());
            code = 1;
            continue;
        }
        rows[model] = *row;
        if (o.json) {
            std::cout << row->dump() << std::endl;
        } else {
            print_row(*row);
        }
    }
    // The event loop's CPU per request, as a ratio to the floor's: both
    // measured in this run, against the same stand-in, so the ratio holds
    // on any machine where the absolute figures do not. Judged from 1,000
    // requests up: below that, what a batch pays once (the client and its
    // TLS context, the first connections) outweighs the requests. There, two
    // more rounds of the floor and the loops run, interleaved, and the
    // median of the three rounds' ratios is the figure: one round on a
    // shared machine can be off by a fifth either way.
    if (rows.count("floor") && !o.json) {
        const auto per_request = [](const nlohmann::json& row) {
            return static_cast<double>(row["cpu_ms"].get<long long>()) * 1000.0 /
                   row["repos"].get<double>();
        };
        std::vector<std::string> loops;
        for (const std::string model : {"asio", "asio-bounded"}) {
            if (rows.count(model)) loops.push_back(model);
        }
        const bool judged = o.repos >= 1000 && !o.talk;
        std::map<std::string, std::vector<double>> us = {{"floor", {per_request(rows["floor"])}}};
        for (const auto& model : loops) us[model].push_back(per_request(rows[model]));
        for (int round = 2; judged && round <= 3; ++round) {
            std::fprintf(stderr, "(round %d of 3 of the floor and the loops, for the ratio)\n",
                         round);
            for (const auto& model : std::vector<std::string>{"floor", "asio", "asio-bounded"}) {
                if (model != "floor" && !rows.count(model)) continue;
                if (const auto row = run_model_process(self, model, o.passed_on))
                    us[model].push_back(per_request(*row));
            }
        }
        const auto median = [](std::vector<double> values) {
            std::sort(values.begin(), values.end());
            return values[values.size() / 2];
        };
        for (const auto& model : loops) {
            std::vector<double> ratios;
            for (std::size_t i = 0; i < us[model].size() && i < us["floor"].size(); ++i) {
                if (us["floor"][i] > 0) ratios.push_back(us[model][i] / us["floor"][i]);
            }
            if (ratios.empty()) continue;
            const double ratio = median(ratios);
            std::printf("%-14s %.0f us of CPU per request, %.2f x the floor's %.0f us",
                        model.c_str(), median(us[model]), ratio, median(us["floor"]));
            if (ratios.size() > 1) {
                std::printf(" (median of %zu rounds side by side: %.2f to %.2f)", ratios.size(),
                            *std::min_element(ratios.begin(), ratios.end()),
                            *std::max_element(ratios.begin(), ratios.end()));
            }
            std::printf("\n");
            std::fflush(stdout);
            if (judged && ratio > 1.3) {
                std::fprintf(stderr,
                             "WARN: %s used %.2f x the floor's CPU per request; target 1.3 x\n",
                             model.c_str(), ratio);
            }
        }
    }
    if (!o.timeline.empty()) {
        std::ofstream page(o.timeline + "/index.html");
        page
            << "<!doctype html><meta charset=\"utf-8\"><title>Timelines</title>\n"
            << "<body style=\"font-family:sans-serif\"><h1>Each request as a bar, from the stand-in&#39;s log</h1>\n";
        for (const auto& model : models) {
            if (rows.count(model))
                page << "<p><img src=\"timeline-" << model << ".svg\" alt=\"" << model
                     << "\"></p>\n";
        }
        page << "</body>\n";
    }
    return code;
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
        // A whole number, or a clear refusal (atoi would take "x" for 0).
        const auto number = [&]() -> long {
            const std::string text = value();
            const auto n = workbook::whole_number(text, 0, std::numeric_limits<long>::max());
            if (!n) {
                std::cerr << flag << ": \"" << text << "\" is not a whole number\n" << usage;
                std::exit(2);
            }
            return *n;
        };
        if (flag == "--model")
            o.model = value();
        else if (flag == "--models") {
            std::stringstream list(value());
            for (std::string m; std::getline(list, m, ',');) o.models.push_back(m);
        } else if (flag == "--workers")
            o.workers = static_cast<int>(number());
        else if (flag == "--repos")
            o.repos = static_cast<int>(number());
        else if (flag == "--latency")
            o.latency_ms = number();
        else if (flag == "--limit")
            o.limit = static_cast<int>(number());
        else if (flag == "--timeline")
            o.timeline = value();
        else if (flag == "--timeline-span")
            o.timeline_span_ms = number();
        else if (flag == "--talk")
            o.talk = true;
        else if (flag == "--json")
            o.json = true;
        else if (flag == "--row")
            o.json = false;
        else {
            std::cerr << "unknown option " << flag << "\n" << usage;
            return 2;
        }
        if (flag != "--model" && flag != "--models" && flag != "--timeline" && flag != "--json" &&
            flag != "--row") {
            o.passed_on.push_back(flag);
            if (flag != "--talk") o.passed_on.push_back(argv[i]);
        }
    }
    for (const auto& m : o.models) {
        if (std::find(all_models.begin(), all_models.end(), m) == all_models.end()) {
            std::cerr << "unknown model \"" << m << "\"\n" << usage;
            return 2;
        }
    }
    if (o.model.empty()) return run_all(o, argv[0]);
    if (o.model == "floor" || o.model == "asio" || o.model == "asio-bounded") pin_to_first_core();
    if (o.model == "sync") o.workers = 1;
    if (o.model == "asio" || o.model == "floor")
        o.workers = o.talk ? 20 : o.repos;               // one in flight per repository
    if (o.model == "asio-bounded") o.workers = o.limit;  // the limit plays the part of the workers
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
            for (int i = 0; i < o.repos; ++i)
                names.push_back("workbook-bench/repo-" + std::to_string(i));
        }
        workbook::reset_stand_in_stats(api);  // its client is gone before the processes model forks

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
            for (const auto& r : chapter03::fetch_all(api, names, o.workers))
                failed += !r.result.ok();
            processes += o.workers;
        } else if (o.model == "futures") {
            chapter04::ThreadPool pool(o.workers);
            for (const auto& r : chapter04::map_in_order(
                     pool, names, chapter04::fetch_with_client_per_thread(api))) {
                failed += !r.ok();
            }
            threads += o.workers;
        } else if (o.model == "floor") {
            const long files = workbook::raise_open_file_limit();
            if (files < static_cast<long>(names.size()) + 50) {
                std::fprintf(
                    stderr,
                    "WARN: floor: %ld open files allowed, fewer than %zu requests in flight need\n",
                    files, names.size());
            }
            failed = bench::floor_fetch_all(api, names);
        } else if (o.model == "asio" || o.model == "asio-bounded") {
            // Every request in flight is a socket: raise the open-file limit first.
            const long files = workbook::raise_open_file_limit();
            const auto sockets = static_cast<long>(std::min<std::size_t>(names.size(), o.workers));
            if (files < sockets + 50) {
                std::fprintf(
                    stderr,
                    "WARN: %s: %ld open files allowed, fewer than %ld requests in flight need\n",
                    o.model.c_str(), files, sockets);
            }
            const auto results = o.model == "asio"
                                     ? run_on_loop(chapter07::fetch_all(api, names))
                                     : run_on_loop(chapter08::fetch_all(
                                           api, names, static_cast<std::size_t>(o.limit)));
            for (const auto& r : results) failed += !r.ok();
            threads += 1;  // Asio's own helper thread for getaddrinfo, which blocks
        } else {
            std::cerr << "unknown model \"" << o.model << "\"\n" << usage;
            return 2;
        }
        const double wall_ms = stopwatch.elapsed().count() * 1000;
        const auto usage = workbook::resource_usage();
        const long long cpu_ms = usage.cpu_ms - before.cpu_ms;
        const auto stats = workbook::read_stand_in_stats(api);

        // Processes have memory of their own: the parent's peak plus each
        // worker's, estimated by the largest worker's.
        const long long peak_kb = usage.peak_rss_kb + (processes - 1) * usage.children_peak_rss_kb;
        const int n = static_cast<int>(names.size());
        const double ideal_ms =
            std::ceil(static_cast<double>(n) / o.workers) * static_cast<double>(o.latency_ms);
        const double ratio = ideal_ms > 0 ? wall_ms / ideal_ms : 0;
        if (!o.timeline.empty()) {
            char subtitle[160];
            std::snprintf(subtitle, sizeof subtitle,
                          "%.0f ms (%.2f x the ideal), at most %lld in flight, latency %ld ms",
                          wall_ms, ratio, stats.max_in_flight, o.latency_ms);
            const std::string how =
                o.model == "sync"    ? "one at a time"
                : o.model == "floor" ? "all at once, a minimal client"
                : o.model == "asio"  ? "all at once, one thread"
                : o.model == "asio-bounded"
                    ? "at most " + std::to_string(o.limit) + " at once, one thread"
                : o.model == "processes" ? std::to_string(o.workers) + " processes"
                                         : std::to_string(o.workers) + " threads";
            workbook::write_timeline_svg(o.timeline, stats.log,
                                         {o.model + ": " + std::to_string(n) + " requests, " + how,
                                          subtitle, o.timeline_span_ms * 1000LL});
        }

        if (o.json) {
            const nlohmann::json row = {
                {"model", o.model},
                {"workers", o.workers},
                {"repos", n},
                {"latency_ms", o.latency_ms},
                {"wall_ms", std::round(wall_ms * 10) / 10},
                {"max_in_flight", stats.max_in_flight},
                {"cpu_ms", cpu_ms},
                {"peak_rss_kb", peak_kb},
                {"threads", threads},
                {"processes", processes},
                {"failed", failed},
                {"ideal_ms", ideal_ms},
                // What the server spent on each of these requests, beside
                // what the client spent (cpu_ms / repos).
                {"stand_in_cpu_us_per_request", stats.cpu_us_per_request},
            };
            std::cout << row.dump() << std::endl;
        } else {
            print_row({{"model", o.model},
                       {"workers", o.workers},
                       {"repos", n},
                       {"wall_ms", wall_ms},
                       {"ideal_ms", ideal_ms},
                       {"max_in_flight", stats.max_in_flight},
                       {"peak_rss_kb", peak_kb},
                       {"cpu_ms", cpu_ms},
                       {"threads", threads},
                       {"processes", processes},
                       {"stand_in_cpu_us_per_request", stats.cpu_us_per_request}});
        }
        // Targets: the blocking models within 10% of their ideal; the bounded
        // loop within 20% (each of its rounds also waits for the server to
        // answer `limit` requests, about 100 us each on two shared cores);
        // the unbounded loop within 2x the latency up to 1,000 requests and
        // 10x beyond; both loops at no more than 70 us of CPU per request.
        const bool loop_model = o.model == "asio" || o.model == "asio-bounded";
        const double target = o.model == "asio-bounded"                 ? 1.20
                              : o.model != "asio" && o.model != "floor" ? 1.10
                              : n <= 1000                               ? 2.0
                                                                        : 10.0;
        if (ratio > target &&
            o.model != "floor") {  // the floor is the yardstick, with no target of its own
            std::fprintf(
                stderr,
                "WARN: %s took %.0f ms, %.2f x its ideal of %.0f ms (ceil(%d / %d) x %ld ms); target %.2f x\n",
                o.model.c_str(), wall_ms, ratio, ideal_ms, n, o.workers, o.latency_ms, target);
        }
        // The loops' CPU per request is judged against the floor's, by the
        // comparison that runs both (run_all).
        (void)loop_model;
        if (failed > 0) {
            std::fprintf(stderr, "WARN: %s: %zu of %d repositories failed\n", o.model.c_str(),
                         failed, n);
        }
        if (stats.requests != n) {
            std::fprintf(stderr,
                         "WARN: %s: the stand-in counted %lld requests for %d repositories\n",
                         o.model.c_str(), stats.requests, n);
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "workbook-bench: " << e.what() << "\n";
        return 1;
    }
}
