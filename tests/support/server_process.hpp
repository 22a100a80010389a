// A server program run as a process of its own, for a test: its output in a
// log (shown when it does not start), its port read once it says it, and
// SIGTERM at the end. For tests that fork (a fork beside an in-process
// server's thread can deadlock the child) and for tests that need more
// sockets than one process may open (10,000 connections, both ends).
//
//   ServerProcess server("chapter09");
//   server.start({WORKBOOK_CHAPTER_DEMO, "--serve", "--port", "0"},
//                [&] { return server.port_in_log("Serving on http://127.0.0.1:"); });
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace workbook::testing {

class ServerProcess {
  public:
    // `name` names its folder (under the system's temporary one) and its errors.
    explicit ServerProcess(std::string name) : name_(std::move(name)) {
        static int started = 0;
        dir_ = std::filesystem::temp_directory_path() /
               (name_ + "-" + std::to_string(::getpid()) + "-" + std::to_string(started++));
        std::filesystem::create_directories(dir_);
    }
    ~ServerProcess() { stop(); }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Where it may put files of its own (a port file).
    const std::filesystem::path& dir() const { return dir_; }

    // Starts `args` (args[0] is the program), then waits up to 10 s for
    // `read_port` to give a port that is not 0. Throws, with the program's
    // output, when it ends or says nothing first.
    void start(std::vector<std::string> args, const std::function<unsigned short()>& read_port) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        // posix_spawn: fork and exec in one step, safe from a threaded process.
        const auto log = (dir_ / "log").string();
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
            throw std::runtime_error("cannot start " + args[0]);
        }
        for (int i = 0; i < 400 && port_ == 0; ++i) {
            port_ = read_port();
            if (port_ != 0) break;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                const std::string said = output();
                stop();
                throw std::runtime_error(name_ + " ended before it listened: " + said);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        if (port_ == 0) {
            const std::string said = output();
            stop();
            throw std::runtime_error(name_ + " did not say its port within 10 s: " + said);
        }
    }

    unsigned short port() const { return port_; }
    pid_t pid() const { return pid_; }

    // What it has printed so far.
    std::string output() const {
        std::ifstream said(dir_ / "log");
        return std::string(std::istreambuf_iterator<char>(said), {});
    }

    // The number after `before` in its output; 0 while it has not said it.
    unsigned short port_in_log(const std::string& before) const {
        const std::string said = output();
        const auto at = said.find(before);
        if (at == std::string::npos) return 0;
        try {
            return static_cast<unsigned short>(std::stoi(said.substr(at + before.size())));
        } catch (const std::exception&) {
            return 0;  // said only in part so far
        }
    }

    // The sockets it holds open now (its listening ones included), as
    // /proc/PID/fd lists them: what the server holds, counted from outside.
    std::size_t sockets() const {
        std::size_t n = 0;
        std::error_code ec;
        for (const auto& fd :
             std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", ec)) {
            const auto target = std::filesystem::read_symlink(fd.path(), ec);
            if (!ec && target.string().rfind("socket:", 0) == 0) ++n;
        }
        return n;
    }

  private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    std::string name_;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
};

}  // namespace workbook::testing
