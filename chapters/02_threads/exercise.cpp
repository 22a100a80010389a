// Chapter 02 exercise: your file. Make `./workbook check 02` green.
//
// JobQueue (TODO 02.1) first: its tests run it from many threads at once.
// Then fetch_all (TODO 02.2) with it. exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 02`.
#include "exercise.hpp"

#include <thread>

#include "workbook/blocking_client.hpp"
#include "workbook/todo.hpp"

namespace chapter02 {

void JobQueue::push(Job job) {
    // TODO(02.1): under the lock, add the job; then wake one waiter.
    (void)job;
    workbook::todo("02.1");
}

void JobQueue::close() {
    // TODO(02.1): under the lock, mark the queue closed; then wake them all.
    workbook::todo("02.1");
}

std::optional<Job> JobQueue::pop() {
    // TODO(02.1): wait until there is a job or the queue is closed.
    workbook::todo("02.1");
}

std::vector<workbook::FetchResult> fetch_all(const workbook::ApiConfig& api,
                                             const std::vector<std::string>& names, int workers,
                                             std::chrono::milliseconds timeout) {
    // TODO(02.2): a JobQueue, `workers` std::threads, and a join for each.
    (void)api, (void)names, (void)workers, (void)timeout;
    workbook::todo("02.2");
}

}  // namespace chapter02
