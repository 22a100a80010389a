// Chapter 05 exercise: a coroutine that waits without blocking, and the
// loop that runs coroutines.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <string>

namespace chapter05 {

// TODO(05.1): wait `delay` on an asio::steady_timer (co_await its
// async_wait), then return "Hello World, NAME!". Never std::this_thread::
// sleep_for: that would stop the whole loop, and every other coroutine on
// it, for the whole delay.
asio::awaitable<std::string> greet_after(std::string name, std::chrono::milliseconds delay);

// TODO(05.2): the talk's loop.run_until_complete(coroutine), as asyncio
// defines it: run the loop until `main` is done, then return what it
// returned, or throw what it threw. Make an asio::io_context, co_spawn `main`
// on it with a completion handler that keeps the outcome and stops the loop,
// and run the loop. Like asyncio, return as soon as `main` is done: a task
// that `main` started and did not wait for is left unfinished (and, as the
// loop is destroyed, destroyed with it), where a bare io_context::run()
// would wait for it.
std::string run_until_complete(asio::awaitable<std::string> main);

}  // namespace chapter05
