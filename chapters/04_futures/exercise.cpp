// Chapter 04 exercise: your file. Make `./workbook check 04` green.
//
// The pool (TODO 04.1), then map_in_order over it (TODO 04.2).
// exercise.hpp says what each must do; submit() is already written there.
//
// Stuck? `./workbook hint 04`.
#include "exercise.hpp"

#include <cstdio>
#include <cstdlib>

#include "workbook/todo.hpp"

namespace chapter04 {

ThreadPool::ThreadPool(int threads) {
    // TODO(04.1): threads_.emplace_back(...) `threads` times.
    (void)threads;
    workbook::todo("04.1");
}

ThreadPool::~ThreadPool() {
    // TODO(04.1): stop, wake, join. (A destructor must not throw, so the
    // stub says so and stops the program.)
    try {
        workbook::todo("04.1");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        std::abort();
    }
}

void ThreadPool::post(std::function<void()> job) {
    // TODO(04.1): under the lock, queue it; then wake one thread.
    (void)job;
    workbook::todo("04.1");
}

std::vector<workbook::FetchResult> map_in_order(ThreadPool& pool,
                                                const std::vector<std::string>& names,
                                                const FetchByName& fetch) {
    // TODO(04.2): pool.submit for every name, then future.get() in order.
    (void)pool, (void)names, (void)fetch;
    workbook::todo("04.2");
}

}  // namespace chapter04
