// Chapter 02 exercise: a queue that several threads can share safely, and
// worker threads that empty it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "workbook/github.hpp"

namespace chapter02 {

// One unit of work: which repository, and where its result goes.
struct Job {
    std::size_t index = 0;
    std::string full_name;
};

// TODO(02.1): a queue of jobs for several threads at once (Python's
// queue.Queue). Every member function may be called from any thread at the
// same time, so each one holds `mutex_` while it touches `jobs_` or
// `closed_`.
class JobQueue {
  public:
    // Adds a job and wakes one thread waiting in pop().
    void push(Job job);
    // No more jobs will come: wakes every thread waiting in pop().
    void close();
    // The next job. While the queue is empty but open, waits (on `ready_`)
    // without burning CPU. Once it is empty and closed: std::nullopt, so a
    // worker knows to stop.
    std::optional<Job> pop();

  private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Job> jobs_;
    bool closed_ = false;
};

// TODO(02.2): fetch every repository of `names` with `workers` threads.
// Put one Job per name in a JobQueue, close it, start the threads; each one
// makes its own client (workbook::make_blocking_client(api, timeout): a
// client is not safe to share between threads) and pops jobs until pop()
// says there are none, calling workbook::fetch_repo_blocking. Return one
// FetchResult per name, in the order of `names`, a failure carrying its
// message. Join every thread before returning.
std::vector<workbook::FetchResult> fetch_all(
    const workbook::ApiConfig& api, const std::vector<std::string>& names, int workers,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace chapter02
