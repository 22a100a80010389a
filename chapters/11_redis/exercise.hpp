// Chapter 11 exercise: two things a Redis connection does well when it is
// shared by many coroutines.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/redis.hpp"

namespace chapter11 {

// One command, by its arguments: {"SET", "key", "value"}.
using Command = std::vector<std::string>;

// TODO(11.1): send every command of `commands` on `redis` as one pipeline and
// return their replies in the same order (redis-py's
// `pipe.execute(raise_on_error=False)`).
// - Pipelined: every command is issued before any reply is awaited, so that
//   the client gathers them into one write and Redis reads them at once (the
//   tests count the reads Redis made, and the commands it ran). The client's
//   command() is safe to call from many coroutines at once on its loop.
// - An error reply (RedisError: "WRONGTYPE ...", "ERR ...") is not a reason
//   to lose the other replies: it takes its place in the result as a Value
//   of type error whose text is Redis's message. A connection that fails
//   (TransportError) is thrown as it is.
// - No commands: no replies, and nothing sent.
asio::awaitable<std::vector<workbook::redis::Value>> pipeline(workbook::redis::Client& redis,
                                                              std::vector<Command> commands);

// A rule of the rate limiter: at most `limit` calls per user in each window.
struct RateLimit {
    long long limit = 5;
    std::chrono::seconds window{60};
};

// Given: the counter's key for `user` in the window that holds `now`:
// "rate:USER:N", N being how many whole windows have passed since 1970.
// Every call in one window counts on one key; the next window has a fresh one.
inline std::string window_key(std::string_view user, std::chrono::system_clock::time_point now,
                              std::chrono::seconds window) {
    const auto n =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()) / window;
    return "rate:" + std::string(user) + ":" + std::to_string(n);
}

// TODO(11.2): a fixed-window rate limiter on Redis: is `user` allowed one
// more call at `now` under `rule`? Counts the call on window_key(user, now,
// rule.window) and answers true while that count is at most rule.limit.
// - `now` is the clock: take the time from it, never from the system's
//   clock, so a test can move a whole window ahead without waiting for one.
// - Many coroutines call it at once for the same user (one per request of a
//   server): the count must be made atomically in Redis, because between
//   two of your co_awaits the other coroutines run.
// - Redis must forget a window's counter: the key expires (EXPIRE, in
//   seconds, Redis's own clock) within rule.window after its first call.
asio::awaitable<bool> allow(workbook::redis::Client& redis, std::string user,
                            std::chrono::system_clock::time_point now, RateLimit rule);

}  // namespace chapter11
