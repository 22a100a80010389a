// Chapter 15, given: running your tests against each fetch_all (verdict.hpp).
#include "verdict.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace chapter15 {

const std::vector<Implementation>& implementations() {
    static const std::vector<Implementation> all = {
        {"correct", "nothing: every promise kept"},
        {"wrong_order", "results in the order the fetches end"},
        {"one_too_many", "one fetch more at once than the limit"},
        {"one_at_a_time", "one fetch at a time, whatever the limit"},
        {"lost_error", "a failed fetch's error is lost"},
        {"no_timeout", "a fetch that hangs is never timed out"},
    };
    return all;
}

std::string describe(Verdict::Outcome outcome) {
    switch (outcome) {
        case Verdict::Outcome::passed:
            return "passed";
        case Verdict::Outcome::failed:
            return "failed";
        case Verdict::Outcome::not_done:
            return "not written yet";
        case Verdict::Outcome::no_test:
            return "no such test";
        case Verdict::Outcome::crashed:
            return "crashed";
        case Verdict::Outcome::too_slow:
            return "too slow";
        case Verdict::Outcome::missing:
            return "not built";
    }
    return "?";
}

namespace {

// The child's output, read until it closes its end or `until` passes.
// Returns false on the deadline.
bool read_all(int fd, std::string& out, std::chrono::steady_clock::time_point until) {
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return ready == 0 ? false : true;
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;  // the child closed it: it has ended, or is ending
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace

Verdict judge(const std::string& prefix, const std::string& implementation,
              const std::string& filter, std::chrono::seconds allowed) {
    Verdict verdict{Verdict::Outcome::missing, 0, {}};
    const std::string program = prefix + implementation;
    if (!std::filesystem::exists(program)) {
        verdict.output = program + " is not there: build the chapter first";
        return verdict;
    }
    int pipe_ends[2];
    if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
        verdict.output = "cannot make a pipe";
        return verdict;
    }
    const auto start = std::chrono::steady_clock::now();
    const std::string test_case = "--test-case=" + filter;
    const pid_t child = ::fork();
    if (child == 0) {
        ::dup2(pipe_ends[1], 1);
        ::dup2(pipe_ends[1], 2);
        ::execl(program.c_str(), program.c_str(), test_case.c_str(), "--no-colors", nullptr);
        ::_exit(127);
    }
    ::close(pipe_ends[1]);
    const bool ended = read_all(pipe_ends[0], verdict.output, start + allowed);
    ::close(pipe_ends[0]);
    if (!ended) ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    verdict.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    using O = Verdict::Outcome;
    if (!ended) {
        verdict.outcome = O::too_slow;
    } else if (WIFSIGNALED(status)) {
        verdict.outcome = O::crashed;
    } else if (verdict.output.find("is not done yet") != std::string::npos) {
        verdict.outcome = O::not_done;
    } else if (verdict.output.find("test cases: 0 |") != std::string::npos ||
               verdict.output.find("test cases:  0 |") != std::string::npos) {
        verdict.outcome = O::no_test;
    } else {
        verdict.outcome = WEXITSTATUS(status) == 0 ? O::passed : O::failed;
    }
    return verdict;
}

}  // namespace chapter15
