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

// [slide:process_worker]
void run_worker(const workbook::ApiConfig& api, int in_fd, int out_fd, const FetchOne& fetch,
                std::chrono::milliseconds timeout) {
    const auto client = workbook::make_blocking_client(api, timeout);
    LineReader jobs(in_fd);
    while (const auto job = jobs.next()) {
        const auto space = job->find(' ');
        const std::size_t index = std::stoul(job->substr(0, space));
        workbook::FetchResult result{job->substr(space + 1), std::nullopt, {}};
        try {
            result.info = fetch(*client, api, result.full_name);
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        // One write() of less than PIPE_BUF bytes: the kernel never mixes it
        // with another worker's write to the same pipe.
        const std::string line = result_line(index, static_cast<int>(::getpid()), result);
        if (::write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return;
    }
}
// [/slide]

namespace {

void make_pipe(int fds[2]) {
    // O_CLOEXEC: if anything here ever exec()s, the pipe does not leak into it.
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe");
}

std::string how_it_ended(int status) {
    if (WIFSIGNALED(status))
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended";
}

}  // namespace

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
        const pid_t pid = ::fork();
        if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
        if (pid == 0) {
            // The child: a copy of this process. Close the ends it must not
            // hold, or the parent would never see end of file on them.
            ::close(jobs[1]);
            ::close(results[0]);
            for (const auto& earlier : pool) {
                if (earlier.jobs_fd >= 0) ::close(earlier.jobs_fd);
            }
            int code = 0;
            try {
                run_worker(api, jobs[0], results[1], fetch, timeout);
            } catch (...) {
                code = 1;  // never let an exception climb into the parent's copied stack
            }
            // _exit, not exit or return: the copy of the parent's state
            // (its stdio buffers, atexit handlers, the test framework) must
            // not run a second time in the child.
            ::_exit(code);
        }
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
        int status = 0;
        while (::waitpid(pool[w].pid, &status, 0) < 0 && errno == EINTR) {
        }
        const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        for (std::size_t i = w; i < names.size(); i += pool.size()) {
            if (answered[i]) continue;
            out[i].result = {names[i], std::nullopt,
                             names[i] + ": worker process " + std::to_string(pool[w].pid) + " " +
                                 (clean ? "exited" : how_it_ended(status)) + " before fetching it"};
        }
    }
    ::sigaction(SIGPIPE, &previous, nullptr);
    return out;
}
// [/slide]

}  // namespace chapter03
