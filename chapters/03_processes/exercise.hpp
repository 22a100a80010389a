// Chapter 03 exercise: worker processes made with fork(), fed through pipes,
// answering through one pipe they share.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/github.hpp"

namespace httplib {
class Client;
}

namespace chapter03 {

struct ProcessResult {
    workbook::FetchResult result;
    int pid = 0;  // the worker process that fetched it; 0 if none did
};

// How a worker fetches one repository: workbook::fetch_repo_blocking unless a
// test passes something that misbehaves (a worker that dies, say).
using FetchOne = std::function<workbook::RepoInfo(httplib::Client&, const workbook::ApiConfig&,
                                                  std::string_view)>;
FetchOne default_fetch();

// The worker's side of the protocol, one line each way:
//   parent -> worker (in_fd):  "<index> <owner/name>\n"
//   worker -> parent (out_fd): "<index> <pid> <result as JSON>\n"
// Provided: the result line for one job, and reading one back (throws
// workbook::ParseError for a line that is not one).
std::string result_line(std::size_t index, int pid, const workbook::FetchResult& result);
struct ResultLine {
    std::size_t index = 0;
    int pid = 0;
    workbook::FetchResult result;
};
ResultLine parse_result_line(std::string_view line);

// Provided: reads a file descriptor one line at a time (without the '\n');
// std::nullopt at end of file.
class LineReader {
  public:
    explicit LineReader(int fd) : fd_(fd) {}
    std::optional<std::string> next();

  private:
    int fd_;
    std::string buffer_;
    bool eof_ = false;
};

// Provided: writes all of `data`, retrying after a partial write or a
// signal. False if the other end is gone (EPIPE) or another error occurs.
bool write_all(int fd, std::string_view data);

// Provided: the loop a worker process runs. Reads jobs from `in_fd` until
// end of file; fetches each with `fetch` over one client; writes its
// result_line (with getpid()) to `out_fd` in a single write() call: several
// workers share that pipe, and only a write of at most PIPE_BUF bytes (4096
// on Linux) is never interleaved with another's. A failed fetch is a result
// too, never a crash.
void run_worker(const workbook::ApiConfig& api, int in_fd, int out_fd, const FetchOne& fetch,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// TODO(03.1): the process idea, on its own. spawn() makes a new process with
// fork(): a copy of this one, memory and all, that runs beside it. In the
// child, run `work` and end with _exit(what it returned), or _exit(1) if it
// threw; the child must never return from spawn, or it would go on running
// the parent's code (and its copy of everything the parent was doing). In
// the parent, return the child's pid at once, without waiting for it.
pid_t spawn(const std::function<int()>& work);

// TODO(03.1): wait for the child `pid` to end (waitpid, again if a signal
// interrupts it) and say how it ended: "exited with code N", or "was killed
// by signal N (its name)". Once reaped, the child leaves the process table:
// until then it stays there as a zombie.
std::string reap(pid_t pid);

// TODO(03.2): fetch every repository with `workers` processes made by
// spawn(), each running run_worker. Give each worker its own input pipe and
// its share of the jobs (job i to worker i % workers); let all of them
// answer through one results pipe; read it to end of file; reap() every
// child. A pipe's reader sees end of file only once every copy of its write
// end is closed, and every process holds a copy of every descriptor open
// when it was forked: so the parent closes the ends it gave away, and each
// child closes every end it does not use. Return one ProcessResult per name,
// in input order. If a worker dies, its unanswered repositories are still in
// the result, with an error that names the worker and how it ended.
std::vector<ProcessResult> fetch_all(const workbook::ApiConfig& api,
                                     const std::vector<std::string>& names, int workers,
                                     const FetchOne& fetch = default_fetch(),
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace chapter03
