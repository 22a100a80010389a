// Chapter 03 specification: spawn and reap (03.1) are the process idea on
// its own: a child that runs beside this process with a copy of its memory,
// never returns into the parent's code, and is reaped with how it ended.
// fetch_all (03.2) runs exactly `workers` processes through pipes, loses
// nothing when one dies, and leaves no child behind. (The given run_worker
// is tested here too, by name.) The stand-in runs as a process of its own
// here: forking next to a server thread could deadlock the child.
// Read it; do not edit it.
#include "support/doctest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <set>
#include <stdexcept>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/processes.hpp"
#include "support/test_stand_in.hpp"
#include "support/watchdog.hpp"

using namespace std::chrono_literals;
using workbook::testing::bench_names;
using workbook::testing::children_of_this_process;
using workbook::testing::if_it_hangs;
using workbook::testing::mentions;
using workbook::testing::TestStandIn;

namespace {

// The children left once fetch_all has returned, not counting the stand-in.
std::vector<pid_t> leftover_children(const TestStandIn& stand_in) {
    auto children = children_of_this_process();
    std::erase(children, stand_in.pid());
    return children;
}

// Runs spawn(work) and makes sure that, whatever spawn does, only the parent
// goes on past it: a child that returned from spawn (instead of _exit) ends
// here with code 99, which reap then reports.
pid_t spawned(const std::function<int()>& work) {
    const pid_t parent = ::getpid();
    const pid_t pid = chapter03::spawn(work);
    if (::getpid() != parent) ::_exit(99);
    return pid;
}

const std::string returned_in_the_child =
    "the child went on past spawn() (it ended with 99, the code this test gives a child that returns into "
    "its caller): end the child with _exit(code) right after work(), so it never runs the parent's code";

constexpr const char* a_pipe_left_open =
    "fetch_all never finished. Either (1) a pipe was left open: a read from a pipe waits for end of file, "
    "which comes only when every copy of its write end is closed. The parent must close the ends it gave "
    "away (the results pipe's write end once every worker is forked, each job pipe's write end once its "
    "jobs are written), and each child the ends it does not use, including the job pipes of the workers "
    "forked before it. Or (2) it waits for a child that is not its worker: waitpid(-1, ...) and wait() "
    "take any child of the process, and this test's process has another one, the stand-in, which never "
    "ends; wait for each worker by its pid (reap(pid))";

}  // namespace

TEST_CASE("03.1 spawn runs the work in another process and reap tells its exit code") {
    if_it_hangs(
        "reap() never returned: waitpid(pid, ...) waits for that child to end; did spawn's child "
        "end (_exit) after its work?",
        std::chrono::seconds(15));
    const pid_t pid = spawned([] { return 7; });
    REQUIRE_MESSAGE(pid > 0,
                    "spawn returned " << pid << ": the parent gets the child's pid from fork()");
    CHECK(pid != ::getpid());
    const auto how = chapter03::reap(pid);
    INFO("reap said: " << how);
    REQUIRE_MESSAGE(!mentions(how, "99"), returned_in_the_child);
    CHECK_MESSAGE(mentions(how, "exited with code 7"),
                  "the child's work returned 7: end the child with _exit(7), and read it back with "
                  "WEXITSTATUS");
}

TEST_CASE("03.1 spawn returns at once while the child still works") {
    // The child waits until the parent writes to a pipe; a spawn that waited
    // for its child would wait for ever here.
    if_it_hangs("spawn() waited for its child: return the pid at once, and wait in reap()",
                std::chrono::seconds(15));
    int go[2];
    REQUIRE(::pipe(go) == 0);
    const pid_t pid = spawned([&] {
        char byte = 0;
        return ::read(go[0], &byte, 1) == 1 ? 0 : 3;
    });
    REQUIRE(::write(go[1], "x", 1) == 1);  // reached only if spawn returned before the child ended
    ::close(go[0]);
    ::close(go[1]);
    CHECK(mentions(chapter03::reap(pid), "exited with code 0"));
}

TEST_CASE("03.1 a child has a copy of the memory and its changes stay its own") {
    if_it_hangs("reap() never returned: did the child end?", std::chrono::seconds(15));
    int value = 1;
    const pid_t pid = spawned([&] {
        value = 2;  // the child's copy
        return value;
    });
    const auto how = chapter03::reap(pid);
    REQUIRE_MESSAGE(!mentions(how, "99"), returned_in_the_child);
    CHECK(mentions(how, "exited with code 2"));
    CHECK_MESSAGE(value == 1,
                  "the parent's variable changed: the work ran in this process, not in a child "
                  "made by fork()");
}

TEST_CASE("03.1 a child whose work throws ends with code 1 and never returns into the parent") {
    if_it_hangs("reap() never returned: did the child end?", std::chrono::seconds(15));
    const pid_t pid = spawned([]() -> int { throw std::runtime_error("on purpose"); });
    const auto how = chapter03::reap(pid);
    INFO("reap said: " << how);
    REQUIRE_MESSAGE(!mentions(how, "99"), returned_in_the_child);
    CHECK_MESSAGE(
        mentions(how, "exited with code 1"),
        "catch what work() throws in the child, and _exit(1): an exception must not climb "
        "into the parent's copied stack");
}

TEST_CASE("03.1 reap says which signal killed a child and leaves no zombie") {
    if_it_hangs("reap() never returned: did the child end?", std::chrono::seconds(15));
    const pid_t pid = spawned([] {
        std::raise(SIGKILL);
        return 0;
    });
    const auto how = chapter03::reap(pid);
    INFO("reap said: " << how);
    CHECK_MESSAGE(
        mentions(how, "signal 9"),
        "a child killed by a signal: WIFSIGNALED(status), and WTERMSIG(status) is the signal");
    const auto children = children_of_this_process();
    CHECK_MESSAGE(std::find(children.begin(), children.end(), pid) == children.end(),
                  "the child is still in the process table after reap: waitpid() it");
}

TEST_CASE("given run_worker answers every job with one line naming itself") {
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "5"}});
    int jobs[2], results[2];
    REQUIRE(::pipe(jobs) == 0);
    REQUIRE(::pipe(results) == 0);
    const std::string input = "0 nodejs/llhttp\n1 nobody/nothing\n2 fmtlib/fmt\n";
    REQUIRE(::write(jobs[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
    ::close(jobs[1]);  // end of file after three jobs

    chapter03::run_worker(stand_in.api, jobs[0], results[1], chapter03::default_fetch(), 5s);
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

TEST_CASE("given run_worker turns a fetch that throws into a result") {
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "5"}});
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
    chapter03::run_worker(stand_in.api, jobs[0], results[1], failing, 5s);
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
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "10"}});
    const auto& names = workbook::repositories();
    const auto results = chapter03::fetch_all(stand_in.api, names, 4);
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
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "100"}});
    const auto names = bench_names(12);
    const auto results = chapter03::fetch_all(stand_in.api, names, 3);
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
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "5"}});
    chapter03::fetch_all(stand_in.api, bench_names(6), 3);
    CHECK_MESSAGE(
        leftover_children(stand_in).empty(),
        "a child is still there after fetch_all returned (a zombie, or a worker still running): "
        "waitpid() for every worker forked");
}

TEST_CASE("03.2 fetch_all reports a worker that dies and loses none of its repositories") {
    if_it_hangs(a_pipe_left_open, std::chrono::seconds(20));
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "5"}});
    const auto names = bench_names(9);
    // The worker that gets repo-4 is killed on the spot, like a crash.
    const chapter03::FetchOne dies_on_4 =
        [](httplib::Client& client, const workbook::ApiConfig& api, std::string_view name) {
            if (name == "workbook-bench/repo-4") std::raise(SIGKILL);
            return chapter03::default_fetch()(client, api, name);
        };
    const auto results = chapter03::fetch_all(stand_in.api, names, 3, dies_on_4);
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
    TestStandIn stand_in(TestStandIn::Process{{"--latency", "5", "--fault", "redis/redis=404"}});
    const std::vector<std::string> names = {"fmtlib/fmt", "redis/redis", "libuv/libuv"};
    const auto results = chapter03::fetch_all(stand_in.api, names, 2);
    REQUIRE(results.size() == 3);
    CHECK(results[0].result.ok());
    CHECK(mentions(results[1].result.error, "redis/redis"));
    CHECK(mentions(results[1].result.error, "404"));
    CHECK(results[2].result.ok());
}
