// Chapter 06 exercise: start many coroutines at once, then wait for them all,
// and never leave one running behind you.
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

namespace chapter06 {

// A task not started yet: calling it makes the coroutine, co_spawn starts it.
using Task = std::function<asio::awaitable<std::string>()>;

// TODO(06.1): Python 3.11's asyncio.TaskGroup, for a list of tasks:
//
//     async with asyncio.TaskGroup() as tg:
//         started = [tg.create_task(t()) for t in tasks]
//     return [s.result() for s in started]
//
// - Start every task at once on this coroutine's executor (co_spawn each,
//   with a completion handler); only then wait.
// - Return their results in the order of `tasks`, whatever order they
//   finish in.
// - When a task throws, cancel every other task still running, wait until
//   all of them have ended, and then throw that first exception. (A task
//   cancelled while it waits on a timer ends with operation_aborted; that
//   is a consequence, not the failure to report.)
// - Never return or throw while a task still runs: a task may borrow from
//   the caller's frame (its locals), which is gone once task_group is done.
//
// Asio 1.22 has no ready-made "wait for a list of coroutines": you build it
// from co_spawn, a count of tasks still running, something to wait on until
// it reaches zero (such as a timer that is cancelled then), and one
// asio::cancellation_signal per task, bound to its handler with
// asio::bind_cancellation_slot.
asio::awaitable<std::vector<std::string>> task_group(std::vector<Task> tasks);

}  // namespace chapter06
