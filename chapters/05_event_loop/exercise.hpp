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

// TODO(05.2): the talk's loop.run_until_complete(coroutine). Make an
// asio::io_context, co_spawn `main` on it with a completion handler that
// keeps what it returned (or the exception it threw), run the loop until no
// work is left, then return that result, or throw that exception.
std::string run_until_complete(asio::awaitable<std::string> main);

}  // namespace chapter05
