// Chapter 04 exercise: a pool of threads that runs jobs and hands back
// futures, and a map over it that keeps the input order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "workbook/github.hpp"

namespace chapter04 {

// Python's concurrent.futures.ThreadPoolExecutor, in small.
class ThreadPool {
  public:
    // TODO(04.1): start `threads` threads; each takes jobs from `jobs_` (under
    // `mutex_`, waiting on `ready_` while there are none) and runs them
    // outside the lock, until `stopping_` is set and no job is left.
    explicit ThreadPool(int threads);
    // TODO(04.1): set `stopping_`, wake every thread, join them all. Jobs
    // already posted still run: a pool that drops work on the floor loses
    // results without a word.
    ~ThreadPool();
    // TODO(04.1): queue a job and wake one thread.
    void post(std::function<void()> job);

    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Given: runs f() on the pool and returns a future of its result. If f
    // throws, the exception is kept and thrown again by future.get().
    template <class F>
    auto submit(F f) -> std::future<std::invoke_result_t<F&>> {
        using R = std::invoke_result_t<F&>;
        // packaged_task is move-only and std::function needs a copyable
        // callable, hence the shared_ptr.
        auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
        auto future = task->get_future();
        post([task] { (*task)(); });
        return future;
    }

    int size() const { return static_cast<int>(threads_.size()); }

  private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

// How one repository is fetched: by name, on whatever thread calls it.
using FetchByName = std::function<workbook::RepoInfo(const std::string& full_name)>;

// Given: a FetchByName that gives every thread that calls it a client of its
// own (a client must not be shared between threads), made on first use.
FetchByName fetch_with_client_per_thread(
    const workbook::ApiConfig& api, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// TODO(04.2): executor.map in C++: submit fetch(name) for every name, keep
// the futures in input order, then get() each one. A get() that throws gives
// that repository's FetchResult the exception's message; the others keep
// their info. Results come back in input order whatever order the fetches
// finish in.
std::vector<workbook::FetchResult> map_in_order(ThreadPool& pool,
                                                const std::vector<std::string>& names,
                                                const FetchByName& fetch);

}  // namespace chapter04
