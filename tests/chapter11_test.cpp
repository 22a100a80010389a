// Chapter 11 specification: a pipeline (11.1) and a rate limiter (11.2) on
// the real Redis that the `services` fixture starts. That the commands left
// together is proven by what Redis itself counted (its reads and the calls of
// each command, from INFO), not by a stopwatch; the limiter's windows move by
// the clock the test gives, never by waiting. Read it; do not edit it.
#include "support/doctest.hpp"

#include <algorithm>
#include <asio/this_coro.hpp>
#include <functional>
#include <string>
#include <vector>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/redis_server.hpp"
#include "workbook/task_group.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using chapter11::Command;
using workbook::redis::Client;
using workbook::redis::Value;
using workbook::testing::info_field;
using workbook::testing::mentions;
using workbook::testing::redis_info;
using workbook::testing::unique_key;
using workbook::testing::with_redis;

namespace {

const char* const pipeline_hangs =
    "pipeline never returned: does every task end (each command's reply, or its error as a "
    "Value), and does it return at once when there are no commands?";

// A reply as one readable word: OK, "text", 42, nil, error(...).
std::string show(const Value& v) {
    switch (v.type) {
        case Value::Type::nil:
            return "nil";
        case Value::Type::simple:
            return v.text;
        case Value::Type::bulk:
            return "\"" + v.text + "\"";
        case Value::Type::integer:
            return std::to_string(v.integer);
        case Value::Type::error:
            return "error(" + v.text + ")";
        case Value::Type::array:
            return "array of " + std::to_string(v.elements.size());
    }
    return "?";
}

std::vector<std::string> show(const std::vector<Value>& replies) {
    std::vector<std::string> words;
    for (const auto& v : replies) words.push_back(show(v));
    return words;
}

// An instant far from today, so an answer that reads the system's clock
// instead of `now` counts on another key than the test looks at.
const auto year_2001 = std::chrono::system_clock::time_point(1'000'000'000s);

}  // namespace

TEST_CASE("11.1 pipeline returns every reply in the order of the commands") {
    const auto key = unique_key("ch11:order");
    const auto counter = unique_key("ch11:counter");
    std::vector<Command> commands{{"SET", key, "hello world"}, {"GET", key},
                                  {"INCR", counter},           {"INCR", counter},
                                  {"GET", key + ":missing"},   {"DEL", key}};
    const auto replies = with_redis<std::vector<Value>>(
        [&](Client& redis) { return chapter11::pipeline(redis, commands); }, 10s, pipeline_hangs);
    const std::vector<std::string> expected{"OK", "\"hello world\"", "1", "2", "nil", "1"};
    CHECK_MESSAGE(show(replies) == expected,
                  "one reply per command, each in its command's place (Redis answers in order; "
                  "task_group keeps the order of its tasks)");
}

TEST_CASE("11.1 pipeline sends the whole batch at once - Redis reads it in one go") {
    // Ten SETs and ten GETs. Redis counts every read it makes from its
    // clients (total_reads_processed) and every command it runs
    // (commandstats); an observer on a second connection reads both before
    // and after. Its second INFO is one read too.
    std::vector<Command> commands;
    const auto prefix = unique_key("ch11:batch");
    for (int i = 0; i < 10; ++i)
        commands.push_back({"SET", prefix + ":" + std::to_string(i), std::to_string(i)});
    for (int i = 0; i < 10; ++i) commands.push_back({"GET", prefix + ":" + std::to_string(i)});

    struct Seen {
        long long reads, sets, gets;
        std::size_t writes, replies;
        std::string last;
    };
    const auto seen = with_redis<Seen>(
        [&](Client& redis) -> asio::awaitable<Seen> {
            Client observer(co_await asio::this_coro::executor,
                            workbook::testing::redis_address().first,
                            workbook::testing::redis_address().second);
            co_await observer.connect();
            const auto before = co_await redis_info(observer);
            const auto writes_before = redis.writes();
            const auto replies = co_await chapter11::pipeline(redis, commands);
            const auto after = co_await redis_info(observer);
            co_return Seen{info_field(after, "total_reads_processed") -
                               info_field(before, "total_reads_processed") - 1,
                           info_field(after, "cmdstat_set") - info_field(before, "cmdstat_set"),
                           info_field(after, "cmdstat_get") - info_field(before, "cmdstat_get"),
                           redis.writes() - writes_before,
                           replies.size(),
                           replies.empty() ? "" : show(replies.back())};
        },
        10s, pipeline_hangs);
    CHECK_MESSAGE(seen.sets == 10, "Redis ran " << seen.sets
                                                << " SETs for the 10 SET commands: send each "
                                                   "command once, as it is given");
    CHECK_MESSAGE(seen.gets == 10, "Redis ran " << seen.gets
                                                << " GETs for the 10 GET commands: send each "
                                                   "command once, as it is given");
    CHECK_MESSAGE(seen.reads == 1,
                  "Redis read the 20 commands in "
                      << seen.reads << " reads (the client made " << seen.writes
                      << " writes): each command left after the reply to the one before, a round "
                         "trip each. Issue every command before awaiting any reply (one task per "
                         "command, all started by workbook::task_group), and the client sends "
                         "them in one write");
    CHECK(seen.replies == 20);
    CHECK(seen.last == "\"9\"");
}

TEST_CASE("11.1 an error reply takes its place and no other reply is lost") {
    const auto key = unique_key("ch11:text");
    std::vector<Command> commands{{"SET", key, "not a number"}, {"INCR", key}, {"GET", key}};
    std::vector<Value> replies;
    try {
        replies = with_redis<std::vector<Value>>(
            [&](Client& redis) { return chapter11::pipeline(redis, commands); }, 10s,
            pipeline_hangs);
    } catch (const workbook::redis::RedisError& e) {
        FAIL("pipeline threw Redis's refusal of INCR (" << std::string(e.what())
                                                        << "): the SET and the GET around it ran, "
                                                           "and their replies were lost. Catch "
                                                           "RedisError in the command's task and "
                                                           "return a Value of type error");
    }
    REQUIRE(replies.size() == 3);
    CHECK(show(replies[0]) == "OK");
    CHECK(replies[1].type == Value::Type::error);
    CHECK_MESSAGE(mentions(replies[1].text, "not an integer"),
                  "the error Value's text is Redis's own message");
    CHECK(show(replies[2]) == "\"not a number\"");
}

TEST_CASE("11.1 a connection that fails under the pipeline is thrown - not turned into replies") {
    // QUIT: Redis answers OK and closes the connection, so the GET queued
    // after it can never have a reply. That is a TransportError, to be
    // thrown as it is: a catch-all that turns it into an error Value in
    // each command's place makes a dead connection look like a batch that
    // ran.
    const auto key = unique_key("ch11:quit");
    std::vector<Command> commands{{"SET", key, "1"}, {"QUIT"}, {"GET", key}};
    std::string outcome = "(nothing)";
    try {
        const auto replies = with_redis<std::vector<Value>>(
            [&](Client& redis) { return chapter11::pipeline(redis, commands); }, 10s,
            pipeline_hangs);
        outcome = "it returned " + std::to_string(replies.size()) + " replies:";
        for (const auto& word : show(replies)) outcome += " " + word;
    } catch (const workbook::TransportError&) {
        outcome = "TransportError";
    }
    CHECK_MESSAGE(outcome == "TransportError",
                  "Redis closed the connection after QUIT, before the GET had a reply, but "
                      << outcome
                      << ". Catch only RedisError (an error reply) in a command's task: a "
                         "TransportError means the connection failed, and must be thrown");
}

TEST_CASE("11.1 an empty pipeline sends nothing and returns no replies") {
    const auto writes = with_redis<std::size_t>(
        [](Client& redis) -> asio::awaitable<std::size_t> {
            const auto before = redis.writes();
            std::vector<Command> none;
            const auto replies = co_await chapter11::pipeline(redis, std::move(none));
            CHECK(replies.empty());
            co_return redis.writes() - before;
        },
        5s, pipeline_hangs);
    CHECK(writes == 0);
}

TEST_CASE("11.2 allow lets limit calls through in a window and refuses the next") {
    const auto user = unique_key("ana");
    const auto answers =
        with_redis<std::vector<bool>>([&](Client& redis) -> asio::awaitable<std::vector<bool>> {
            std::vector<bool> out;
            const chapter11::RateLimit five_a_minute{5, 60s};
            for (int i = 0; i < 7; ++i)
                out.push_back(co_await chapter11::allow(redis, user, year_2001, five_a_minute));
            co_return out;
        });
    const std::vector<bool> expected{true, true, true, true, true, false, false};
    CHECK_MESSAGE(answers == expected,
                  "with a limit of 5, calls 1 to 5 of a window are allowed and 6 and 7 refused");
}

TEST_CASE("11.2 allow counts calls made at the same moment exactly") {
    const auto user = unique_key("bruno");
    const auto answers =
        with_redis<std::vector<bool>>([&](Client& redis) -> asio::awaitable<std::vector<bool>> {
            std::vector<std::function<asio::awaitable<bool>()>> calls;
            for (int i = 0; i < 10; ++i)
                calls.push_back([&] { return chapter11::allow(redis, user, year_2001, {5, 60s}); });
            co_return co_await workbook::task_group(std::move(calls));
        });
    const auto allowed = std::count(answers.begin(), answers.end(), true);
    CHECK_MESSAGE(
        allowed == 5,
        allowed << " of 10 calls made at the same moment were allowed, with a limit of 5. "
                   "Count in Redis in one step (INCR returns the new count): with a GET "
                   "and then a SET, every coroutine reads the count before any writes "
                   "it back, because a co_await is where the others run");
}

TEST_CASE("11.2 allow takes the time from the clock it is given") {
    const auto user = unique_key("carla");
    const chapter11::RateLimit one_a_minute{1, 60s};
    struct Seen {
        bool first, same_window, next_window;
        std::optional<std::string> counter;
    };
    const auto seen = with_redis<Seen>([&](Client& redis) -> asio::awaitable<Seen> {
        Seen s{};
        s.first = co_await chapter11::allow(redis, user, year_2001, one_a_minute);
        s.counter = co_await redis.get(chapter11::window_key(user, year_2001, 60s));
        s.same_window = co_await chapter11::allow(redis, user, year_2001 + 1s, one_a_minute);
        s.next_window = co_await chapter11::allow(redis, user, year_2001 + 60s, one_a_minute);
        co_return s;
    });
    CHECK(seen.first);
    CHECK_MESSAGE(seen.counter == std::optional<std::string>("1"),
                  "after one call at `now` (a time in 2001), Redis has no count of 1 at "
                      << chapter11::window_key(user, year_2001, 60s)
                      << ": count on window_key(user, now, rule.window), with the `now` given "
                         "(never the system's clock, which a test cannot move)");
    CHECK_MESSAGE(!seen.same_window, "a second call in the same minute must be refused (limit 1)");
    CHECK_MESSAGE(seen.next_window,
                  "a call one whole window later must be allowed: it counts on the next "
                  "window's key");
}

TEST_CASE("11.2 the window's counter expires") {
    const auto user = unique_key("dora");
    const auto ttl = with_redis<long long>([&](Client& redis) -> asio::awaitable<long long> {
        const chapter11::RateLimit five_a_minute{5, 60s};
        co_await chapter11::allow(redis, user, year_2001, five_a_minute);
        co_await chapter11::allow(redis, user, year_2001, five_a_minute);
        std::vector<std::string> args{"TTL", chapter11::window_key(user, year_2001, 60s)};
        co_return (co_await redis.command(std::move(args))).integer;
    });
    REQUIRE_MESSAGE(ttl != -2, "there is no counter at all at the window's key");
    REQUIRE_MESSAGE(ttl != -1,
                    "the window's counter never expires (TTL -1): Redis would keep one "
                    "key per user and window forever. Give it a lifetime (EXPIRE key "
                    "SECONDS) on the window's first call");
    CHECK_MESSAGE((ttl >= 1 && ttl <= 60),
                  "the counter lives " << ttl << " s: at most the window's 60 s");
}
