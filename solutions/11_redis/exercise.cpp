// Chapter 11 reference answer.
#include "exercise.hpp"

#include <functional>

#include "workbook/task_group.hpp"

namespace chapter11 {

using workbook::redis::Value;

// [slide:pipeline]
asio::awaitable<std::vector<Value>> pipeline(workbook::redis::Client& redis,
                                             std::vector<Command> commands) {
    // One task per command, all started before any reply is awaited: each
    // appends its command to the client's outbox and suspends, and the
    // client's writer, which runs after them on the loop, sends the lot in
    // one write. Redis answers in order; task_group returns in order.
    std::vector<std::function<asio::awaitable<Value>()>> tasks;
    tasks.reserve(commands.size());
    for (auto& command : commands) {
        tasks.push_back([&redis, command = std::move(command)]() -> asio::awaitable<Value> {
            try {
                co_return co_await redis.command(command);
            } catch (const workbook::redis::RedisError& e) {
                // Redis's refusal of this one command is its reply: the
                // other commands ran (Redis undoes nothing, not even inside
                // MULTI/EXEC), and their replies are kept.
                Value refusal;
                refusal.type = Value::Type::error;
                refusal.text = e.what();
                co_return refusal;
            }
        });
    }
    co_return co_await workbook::task_group(std::move(tasks));
}
// [/slide]

// [slide:rate_limit]
asio::awaitable<bool> allow(workbook::redis::Client& redis, std::string user,
                            std::chrono::system_clock::time_point now, RateLimit rule) {
    const std::string key = window_key(user, now, rule.window);
    // INCR counts in Redis, atomically: two coroutines (or two servers) that
    // call at once get 4 and 5, never 4 twice, as a GET then a SET would
    // give them. EXPIRE ... NX (Redis 7) sets the lifetime only on the
    // window's first call; sent in the same pipeline, so there is no moment
    // when the counter exists without its lifetime, and one round trip.
    std::vector<Command> commands{{"INCR", key},
                                  {"EXPIRE", key, std::to_string(rule.window.count()), "NX"}};
    const auto replies = co_await pipeline(redis, std::move(commands));
    for (const auto& reply : replies) {
        if (reply.type == Value::Type::error) throw workbook::redis::RedisError(reply.text);
    }
    co_return replies[0].integer <= rule.limit;
}
// [/slide]

}  // namespace chapter11
