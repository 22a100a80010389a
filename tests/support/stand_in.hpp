// The GitHub stand-in for a test, on a free port, in one of two places:
//
//   StandIn s;                                  // in this process, on a thread of its own
//   StandIn s(quick({{"a/b", Fault::hang}}));   // ... with faults, 10 ms latency
//   StandIn s(StandIn::Process{{"--latency", "5"}});  // a process of its own
//
// A process of its own is for tests that fork (a fork next to an in-process
// server's thread can deadlock the child) or that count this process's
// sockets. Either way the test reads `s.api` and asks `s.stats()`.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "workbook/fake_github.hpp"

extern char** environ;

namespace workbook::testing {

inline FakeGithubOptions quick(std::map<std::string, Fault> faults = {},
                               std::chrono::milliseconds latency = std::chrono::milliseconds(10)) {
    FakeGithubOptions options;
    options.latency = latency;
    options.faults = std::move(faults);
    return options;
}

// "workbook-bench/repo-0" ... "workbook-bench/repo-{n-1}": repositories the
// stand-in makes up, as many as a test needs.
inline std::vector<std::string> bench_names(int n) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back("workbook-bench/repo-" + std::to_string(i));
    return names;
}

class StandIn {
  public:
    // In this process, plain HTTP or (tls) HTTPS with the workbook's CA.
    explicit StandIn(FakeGithubOptions options = quick(), bool tls = false)
        : in_process_(std::make_unique<FakeGithub>(std::move(options))) {
        if (tls) {
            in_process_->listen_https();
            api = in_process_->https_api();
        } else {
            in_process_->listen_http();
            api = in_process_->http_api();
        }
        in_process_->start();
    }

    // The fake-github program, with more of its options: {"--latency", "200"}.
    struct Process {
        std::vector<std::string> args;
    };
    // As a process of its own: started with --port 0 --port-file, asked for
    // its statistics over HTTP, stopped with SIGTERM.
    explicit StandIn(Process process) {
        dir_ = std::filesystem::temp_directory_path() /
               ("stand-in-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        std::filesystem::create_directories(dir_);
        const auto port_file = (dir_ / "port").string();
        std::vector<std::string> args = {WORKBOOK_FAKE_GITHUB, "--port",  "0",
                                         "--port-file",        port_file, "--quiet"};
        args.insert(args.end(), process.args.begin(), process.args.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        // posix_spawn: fork and exec in one step, safe from a threaded
        // process. Its output goes to a log, shown if it does not start.
        const auto log = (dir_ / "stand-in.log").string();
        posix_spawn_file_actions_t files;
        posix_spawn_file_actions_init(&files);
        posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&files, 1, 2);
        const int spawned = posix_spawn(&pid_, argv[0], &files, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&files);
        if (spawned != 0) {
            pid_ = -1;
            throw std::runtime_error(std::string("cannot start ") + WORKBOOK_FAKE_GITHUB);
        }
        unsigned short port = 0;
        for (int i = 0; i < 400 && port == 0; ++i) {
            std::ifstream in(port_file);
            if (in >> port) break;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                std::ifstream said(log);
                const std::string why(std::istreambuf_iterator<char>(said), {});
                stop();
                throw std::runtime_error("the stand-in process ended before it listened: " + why);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        if (port == 0) {
            stop();  // the constructor throws: no destructor will run
            throw std::runtime_error("the stand-in process did not write its port within 10 s");
        }
        api.port = port;
    }

    ~StandIn() { stop(); }
    StandIn(const StandIn&) = delete;
    StandIn& operator=(const StandIn&) = delete;

    // Where the stand-in listens; what a client is given.
    ApiConfig api;

    // What the stand-in has seen since it started or was last reset.
    Stats stats() const { return in_process_ ? in_process_->stats() : read_stand_in_stats(api); }
    void reset_stats() const {
        if (in_process_) {
            in_process_->reset_stats();
        } else {
            reset_stand_in_stats(api);
        }
    }
    // The stand-in's process, or -1 when it runs in this one.
    pid_t pid() const { return pid_; }

  private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::unique_ptr<FakeGithub> in_process_;
    pid_t pid_ = -1;
    std::filesystem::path dir_;
};

}  // namespace workbook::testing
