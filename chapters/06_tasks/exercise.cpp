// Chapter 06 exercise: your file. Make `./workbook check 06` green.
//
// task_group (TODO 06.1): start every task, then wait for all, results in
// order; a failure cancels the rest, waits for them, then is thrown.
//
// Stuck? `./workbook hint 06.1`.
#include "exercise.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <memory>

#include "workbook/todo.hpp"

namespace chapter06 {

asio::awaitable<std::vector<std::string>> task_group(std::vector<Task> tasks) {
    // TODO(06.1): co_spawn every task first; only then wait. On the first
    // failure, cancel the others and wait for them before throwing.
    (void)tasks;
    workbook::todo("06.1");
    co_return std::vector<std::string>{};  // never reached
}

}  // namespace chapter06
