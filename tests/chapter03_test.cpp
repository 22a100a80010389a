// Chapter 03 specification: run_worker (03.1) speaks the pipe protocol, and
// fetch_all (03.2) runs exactly `workers` processes, loses nothing when one
// dies, and leaves no child behind. The stand-in runs as a process of its own
// here: forking next to a server thread could deadlock the child.
// Read it; do not edit it.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <set>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/stand_in.hpp"
#include "support/stand_in_process.hpp"
#include "support/watchdog.hpp"

using namespace std::chrono_literals;
using workbook::testing::bench_names;
using workbook::testing::children_of_this_process;
using workbook::testing::if_it_hangs;
using workbook::testing::mentions;
using workbook::testing::StandInProcess;

namespace {

// The children left once fetch_all has returned, not counting the stand-in.
std::vector<pid_t> leftover_children(const StandInProcess& stand_in) {
    auto children = children_of_this_process();
    std::erase(children, stand_in.pid());
    return children;
}

constexpr const char* a_pipe_left_open =
    "fetch_all never finished: a read from a pipe waits for end of file, which comes only when every copy of "
    "its write end is closed. The parent must close the ends it gave away (the results pipe's write end once "
    "every worker is forked, each job pipe's write end once its jobs are written), and each child the ends "
    "it does not use, including the job pipes of the workers forked before it";

}  // namespace

TEST_CASE("03.1 run_worker answers every job with one line naming itself") {
    if_it_hangs(
        "run_worker did not stop at the end of its input: read jobs until read() returns 0 (end of file)",
        std::chrono::seconds(15));
    StandInProcess stand_in({"--latency", "5"});
    int jobs[2], results[2];
    REQUIRE(::pipe(jobs) == 0);
    REQUIRE(::pipe(results) == 0);
    const std::string input = "0 nodejs/llhttp\n1 nobody/nothing\n2 fmtlib/fmt\n";
    REQUIRE(::write(jobs[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
    ::close(jobs[1]);  // end of file after three jobs

    chapter03::run_worker(stand_in.api(), jobs[0], results[1], chapter03::default_fetch(), 5s);
    ::close(jobs[0]);
    ::close(results[1]);

    chapter03::LineReader lines(results[0]);
    std::vector<chapter03::ResultLine> got;
    while (auto line = lines.next()) got.push_back(chapter03::parse_result_line(*line));
    ::close(results[0]);
    REQUIRE(got.size() == 3);
    for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].index == i);
        CHECK(got[i].pid == ::getpid());  // called directly here, so it is this process
    }
    REQUIRE(got[0].result.ok());
    CHECK(got[0].result.info->full_name == "nodejs/llhttp");
    CHECK_FALSE(got[1].result.ok());
    CHECK(mentions(got[1].result.error, "404"));
    CHECK(got[2].result.ok());
}

TEST_CASE("03.1 run_worker turns a fetch that throws into a result") {
    if_it_hangs(
        "run_worker did not stop at the end of its input: read jobs until read() returns 0 (end of file)",
        std::chrono::seconds(15));
    StandInProcess stand_in({"--latency", "5"});
    int jobs[2], results[2];
    REQUIRE(::pipe(jobs) == 0);
    REQUIRE(::pipe(results) == 0);
    const std::string input = "4 a/b\n";
    REQUIRE(::write(jobs[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
    ::close(jobs[1]);
    const chapter03::FetchOne failing = [](httplib::Client&, const workbook::ApiConfig&,
                                           std::string_view name) -> workbook::RepoInfo {
        throw workbook::FetchError(std::string(name) + ": on purpose");
    };
    chapter03::run_worker(stand_in.api(), jobs[0], results[1], failing, 5s);
    ::close(jobs[0]);
    ::close(results[1]);
    chapter03::LineReader lines(results[0]);
    const auto line = lines.next();
    ::close(results[0]);
    REQUIRE(line);
    const auto parsed = chapter03::parse_result_line(*line);
    CHECK(parsed.index == 4);
    CHECK(parsed.result.error == "a/b: on purpose");
}

TEST_CASE("03.2 fetch_all returns every repository in input order") {
    if_it_hangs(a_pipe_left_open, std::chrono::seconds(20));
    StandInProcess stand_in({"--latency", "10"});
    const auto& names = workbook::repositories();
    const auto results = chapter03::fetch_all(stand_in.api(), names, 4);
    REQUIRE(results.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        REQUIRE(results[i].result.ok());
        CHECK(results[i].result.info->full_name == names[i]);
    }
    CHECK(stand_in.stats().requests == static_cast<long long>(names.size()));
}

TEST_CASE("03.2 fetch_all uses exactly `workers` processes other than this one") {
    if_it_hangs(a_pipe_left_open, std::chrono::seconds(20));
    StandInProcess stand_in({"--latency", "100"});
    const auto names = bench_names(12);
    const auto results = chapter03::fetch_all(stand_in.api(), names, 3);
    std::set<int> pids;
    for (const auto& r : results) pids.insert(r.pid);
    CHECK_MESSAGE(pids.count(::getpid()) == 0,
                  "the parent fetched repositories itself: only the workers fetch");
    CHECK(pids.count(0) == 0);
    CHECK_MESSAGE(pids.size() == 3, pids.size() << " different processes answered, with 3 workers");
    const auto stats = stand_in.stats();
    CHECK(stats.requests == 12);
    CHECK_MESSAGE(stats.max_in_flight == 3,
                  "the stand-in had at most "
                      << stats.max_in_flight
                      << " requests at once from 3 workers: fork every worker and hand out "
                         "every job before waiting for any answer (or any worker)");
}

TEST_CASE("03.2 fetch_all reaps every child") {
    if_it_hangs(a_pipe_left_open, std::chrono::seconds(20));
    StandInProcess stand_in({"--latency", "5"});
    chapter03::fetch_all(stand_in.api(), bench_names(6), 3);
    CHECK_MESSAGE(
        leftover_children(stand_in).empty(),
        "a child is still there after fetch_all returned (a zombie, or a worker still running): "
        "waitpid() for every worker forked");
}

TEST_CASE("03.2 fetch_all reports a worker that dies and loses none of its repositories") {
    if_it_hangs(a_pipe_left_open, std::chrono::seconds(20));
    StandInProcess stand_in({"--latency", "5"});
    const auto names = bench_names(9);
    // The worker that gets repo-4 is killed on the spot, like a crash.
    const chapter03::FetchOne dies_on_4 =
        [](httplib::Client& client, const workbook::ApiConfig& api, std::string_view name) {
            if (name == "workbook-bench/repo-4") std::raise(SIGKILL);
            return chapter03::default_fetch()(client, api, name);
        };
    const auto results = chapter03::fetch_all(stand_in.api(), names, 3, dies_on_4);
    REQUIRE(results.size() == names.size());
    int ok = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CHECK(results[i].result.full_name == names[i]);  // every repository is there
        if (results[i].result.ok()) {
            ++ok;
        } else {
            CHECK(mentions(results[i].result.error, "signal 9"));
        }
    }
    CHECK_FALSE(results[4].result.ok());
    CHECK(ok >= 6);  // the other two workers' repositories all arrived
    CHECK(leftover_children(stand_in).empty());
}

TEST_CASE("03.2 fetch_all keeps going after an HTTP failure") {
    if_it_hangs(a_pipe_left_open, std::chrono::seconds(20));
    StandInProcess stand_in({"--latency", "5", "--fault", "redis/redis=404"});
    const std::vector<std::string> names = {"fmtlib/fmt", "redis/redis", "libuv/libuv"};
    const auto results = chapter03::fetch_all(stand_in.api(), names, 2);
    REQUIRE(results.size() == 3);
    CHECK(results[0].result.ok());
    CHECK(mentions(results[1].result.error, "redis/redis"));
    CHECK(mentions(results[1].result.error, "404"));
    CHECK(results[2].result.ok());
}
