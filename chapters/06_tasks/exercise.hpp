// Chapter 06 exercise: start many coroutines at once, then wait for them all.
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

namespace chapter06 {

// A task not started yet: calling it makes the coroutine, co_spawn starts it.
using Task = std::function<asio::awaitable<std::string>()>;

// TODO(06.1): Python's asyncio.gather. Start every task at once on this
// coroutine's executor (co_spawn each, with a completion handler), then wait
// until all have finished, and return their results in the order of `tasks`,
// whatever order they finish in. If any task throws, the others still run to
// their end, and then gather throws the first exception.
// (Asio 1.22 has no ready-made "wait for a list of coroutines": you build it
// from co_spawn, a count of tasks still running, and something to wait on
// until it reaches zero, such as a timer that is cancelled then.)
asio::awaitable<std::vector<std::string>> gather(std::vector<Task> tasks);

}  // namespace chapter06
