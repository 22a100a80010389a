// Chapter 03 reference answer.
#include "exercise.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <system_error>

#include "workbook/blocking_client.hpp"

namespace chapter03 {

namespace {

void make_pipe(int fds[2]) {
    // O_CLOEXEC: if anything here ever exec()s, the pipe does not leak into it.
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe");
}

}  // namespace

// [slide:spawn]
pid_t spawn(const std::function<int()>& work) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid > 0) return pid;  // the parent: the child runs beside us from here on
    // The child: a copy of the parent, which goes on from this very line.
    int code = 1;
    try {
        code = work();
    } catch (...) {
        // never let an exception climb into the parent's copied stack
    }
    // _exit, not exit or return: the copy of the parent's state (its stdio
    // buffers, atexit handlers, the test framework) must not run a second
    // time in the child.
    ::_exit(code);
}

std::string reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (WIFSIGNALED(status)) {
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    }
    return "exited with code " + std::to_string(WEXITSTATUS(status));
}
// [/slide]

// [slide:process_pool]
std::vector<ProcessResult> fetch_all(const workbook::ApiConfig& api,
                                     const std::vector<std::string>& names, int workers,
                                     const FetchOne& fetch, std::chrono::milliseconds timeout) {
    // A worker that dies makes our next write to its pipe fail with EPIPE;
    // without this, SIGPIPE would kill the parent too.
    struct sigaction ignore {
    }, previous{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &previous);

    int results[2];
    make_pipe(results);
    struct Worker {
        pid_t pid = -1;
        int jobs_fd = -1;  // the parent's end of this worker's input pipe
    };
    std::vector<Worker> pool(static_cast<std::size_t>(workers));
    for (auto& worker : pool) {
        int jobs[2];
        make_pipe(jobs);
        const pid_t pid = spawn([&] {
            // The child holds a copy of every descriptor open at the fork.
            // It closes the ends it must not hold, or their readers would
            // never see end of file: the write end of its own jobs, the
            // results' read end, and every earlier worker's jobs.
            ::close(jobs[1]);
            ::close(results[0]);
            for (const auto& earlier : pool) {
                if (earlier.jobs_fd >= 0) ::close(earlier.jobs_fd);
            }
            run_worker(api, jobs[0], results[1], fetch, timeout);
            return 0;
        });
        ::close(jobs[0]);
        worker = {pid, jobs[1]};
    }
    ::close(results[1]);  // now only the workers hold the write end

    // Feed each worker its share. A pipe holds 64 KiB, plenty for a few
    // thousand names; beyond that this would need poll() to also read
    // results while writing.
    for (std::size_t i = 0; i < names.size(); ++i) {
        write_all(pool[i % pool.size()].jobs_fd, std::to_string(i) + " " + names[i] + "\n");
    }
    for (auto& worker : pool) ::close(worker.jobs_fd);  // end of file: no more jobs

    std::vector<ProcessResult> out(names.size());
    std::vector<bool> answered(names.size(), false);
    LineReader lines(results[0]);
    while (const auto line = lines.next()) {  // end of file once every worker has exited
        const auto parsed = parse_result_line(*line);
        if (parsed.index >= names.size()) continue;
        out[parsed.index] = {parsed.result, parsed.pid};
        answered[parsed.index] = true;
    }
    ::close(results[0]);

    // Reap every child, or it stays a zombie in the process table.
    for (std::size_t w = 0; w < pool.size(); ++w) {
        const std::string how = reap(pool[w].pid);
        for (std::size_t i = w; i < names.size(); i += pool.size()) {
            if (answered[i]) continue;
            out[i].result = {names[i], std::nullopt,
                             names[i] + ": worker process " + std::to_string(pool[w].pid) + " " +
                                 how + " before fetching it"};
        }
    }
    ::sigaction(SIGPIPE, &previous, nullptr);
    return out;
}
// [/slide]

}  // namespace chapter03
