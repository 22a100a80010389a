// The GitHub stand-in as a process of its own, for tests that fork (a fork
// next to an in-process server's thread can deadlock the child) or that need
// more sockets than one process may open. Started with --port 0 --port-file,
// asked for its statistics over HTTP, stopped with SIGTERM.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "workbook/blocking_client.hpp"
#include "workbook/fake_github.hpp"

extern char** environ;

namespace workbook::testing {

class StandInProcess {
  public:
    // `args`: more fake-github options, e.g. {"--latency", "200"}.
    explicit StandInProcess(std::vector<std::string> args = {}) {
        dir_ = std::filesystem::temp_directory_path() /
               ("stand-in-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        std::filesystem::create_directories(dir_);
        const auto port_file = (dir_ / "port").string();
        std::vector<std::string> argv_s = {WORKBOOK_FAKE_GITHUB, "--port",  "0",
                                           "--port-file",        port_file, "--quiet"};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        // posix_spawn: fork and exec in one step, safe from a threaded process.
        if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error(std::string("cannot start ") + WORKBOOK_FAKE_GITHUB);
        }
        for (int i = 0; i < 200 && port_ == 0; ++i) {
            std::ifstream in(port_file);
            if (!(in >> port_)) std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        if (port_ == 0) throw std::runtime_error("the stand-in process did not write its port");
        api_.port = port_;
    }
    ~StandInProcess() {
        ::kill(pid_, SIGTERM);
        int status;
        ::waitpid(pid_, &status, 0);
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    StandInProcess(const StandInProcess&) = delete;
    StandInProcess& operator=(const StandInProcess&) = delete;

    const ApiConfig& api() const { return api_; }
    pid_t pid() const { return pid_; }

    Stats stats() const { return read_stand_in_stats(api_); }
    void reset_stats() const { reset_stand_in_stats(api_); }

  private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::filesystem::path dir_;
    ApiConfig api_;
};

// The processes whose parent is this one, found in /proc: what a test checks
// to prove every child was reaped.
inline std::vector<pid_t> children_of_this_process() {
    std::vector<pid_t> children;
    const std::string me = std::to_string(::getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // pid (comm) state ppid ...: comm may hold spaces, so start after ')'
        std::istringstream rest(line.substr(line.rfind(')') + 2));
        std::string state, ppid;
        rest >> state >> ppid;
        if (ppid == me) children.push_back(std::stoi(name));
    }
    return children;
}

}  // namespace workbook::testing
