// Chapter 04 reference answer.
#include "exercise.hpp"

namespace chapter04 {

// [slide:thread_pool]
ThreadPool::ThreadPool(int threads) {
    for (int i = 0; i < threads; ++i) {
        threads_.emplace_back([this] {
            for (;;) {
                std::function<void()> job;
                {
                    std::unique_lock lock(mutex_);
                    ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
                    if (jobs_.empty()) return;  // stopping, and nothing left to do
                    job = std::move(jobs_.front());
                    jobs_.pop_front();
                }
                // Run it outside the lock, or the pool would run one job at
                // a time however many threads it has.
                job();
            }
        });
    }
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();  // each finishes the queue before it returns
}

void ThreadPool::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
}
// [/slide]

// [slide:map_in_order]
std::vector<workbook::FetchResult> map_in_order(ThreadPool& pool,
                                                const std::vector<std::string>& names,
                                                const FetchByName& fetch) {
    // Submit everything first: the pool starts working at once, while we
    // still hold every future in the order of `names`.
    std::vector<std::future<workbook::RepoInfo>> futures;
    futures.reserve(names.size());
    for (const auto& name : names) {
        futures.push_back(pool.submit([&fetch, name] { return fetch(name); }));
    }
    // Then wait for each in input order. get() blocks until that one is
    // done; the ones after it may well be done already.
    std::vector<workbook::FetchResult> results;
    results.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        workbook::FetchResult result{names[i], std::nullopt, {}};
        try {
            result.info = futures[i].get();  // rethrows what fetch threw, on this thread
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        results.push_back(std::move(result));
    }
    return results;
}
// [/slide]

}  // namespace chapter04
