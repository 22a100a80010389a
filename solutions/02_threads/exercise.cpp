// Chapter 02 reference answer.
#include "exercise.hpp"

#include <thread>

#include "workbook/blocking_client.hpp"

namespace chapter02 {

// [slide:job_queue]
void JobQueue::push(Job job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    // Notified after unlocking, so the woken thread does not wake up only to
    // wait for the lock we still hold.
    ready_.notify_one();
}

void JobQueue::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();  // every waiting worker must see it and stop
}

std::optional<Job> JobQueue::pop() {
    std::unique_lock lock(mutex_);
    // wait() releases the lock while asleep and takes it back before the
    // predicate is checked; the predicate guards against spurious wake-ups.
    ready_.wait(lock, [this] { return !jobs_.empty() || closed_; });
    if (jobs_.empty()) return std::nullopt;  // closed, and nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
}
// [/slide]

// [slide:thread_workers]
std::vector<workbook::FetchResult> fetch_all(const workbook::ApiConfig& api,
                                             const std::vector<std::string>& names, int workers,
                                             std::chrono::milliseconds timeout) {
    JobQueue queue;
    for (std::size_t i = 0; i < names.size(); ++i) queue.push({i, names[i]});
    queue.close();  // all the work is known up front

    // Each worker writes only results[job.index]: different elements are
    // different memory locations, so no two threads touch the same one.
    // (results.push_back from several threads would be a data race.)
    std::vector<workbook::FetchResult> results(names.size());
    auto worker = [&] {
        const auto client = workbook::make_blocking_client(api, timeout);  // one per thread
        while (auto job = queue.pop()) {
            auto& result = results[job->index];
            result.full_name = job->full_name;
            try {
                result.info = workbook::fetch_repo_blocking(*client, api, job->full_name);
            } catch (const std::exception& e) {
                result.error = e.what();
            }
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) threads.emplace_back(worker);
    for (auto& t : threads) t.join();  // results are complete only after every join
    return results;
}
// [/slide]

}  // namespace chapter02
