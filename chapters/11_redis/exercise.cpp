// Chapter 11 exercise: your file. Make `./workbook check 11` green.
//
// pipeline (TODO 11.1), then allow (TODO 11.2), which can use it.
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 11`.
#include "exercise.hpp"

#include <functional>

#include "workbook/task_group.hpp"
#include "workbook/todo.hpp"

namespace chapter11 {

using workbook::redis::Value;

asio::awaitable<std::vector<Value>> pipeline(workbook::redis::Client& redis,
                                             std::vector<Command> commands) {
    // TODO(11.1): one task per command (redis.command), all started at once
    // with workbook::task_group; an error reply becomes a Value in its place.
    (void)redis, (void)commands;
    workbook::todo("11.1");
    co_return std::vector<Value>{};  // never reached
}

asio::awaitable<bool> allow(workbook::redis::Client& redis, std::string user,
                            std::chrono::system_clock::time_point now, RateLimit rule) {
    // TODO(11.2): count the call on window_key(user, now, rule.window) in
    // Redis, make sure that key expires, answer whether the count is within
    // rule.limit.
    (void)redis, (void)user, (void)now, (void)rule;
    workbook::todo("11.2");
    co_return false;  // never reached
}

}  // namespace chapter11
