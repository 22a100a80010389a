// Chapter 11: Redis, one connection shared by every coroutine.
//
// The idea: a network client on the event loop is a coroutine that sends a
// command and waits for its reply, like chapter 07's HTTP client. What Redis
// adds is pipelining: replies come back in the order the commands were sent,
// so a connection need not wait for one reply before it sends the next
// command. Many coroutines issue commands at once, the client writes them
// out together, and one round trip serves them all.
//
// Python (the talk):  redis = await aioredis.create_redis(('localhost', 6379))
//                     await redis.set('key', 'hello world')
//                     val = await redis.get('key')
// C++ (here):         workbook::redis::Client redis(executor, host, port);
//                     co_await redis.connect();
//                     co_await redis.set("key", "hello world");
//                     auto val = co_await redis.get("key");
//
// Run it: ./workbook run 11   (starts a private Redis, runs this, stops it)
//         build/release/chapter11   (with REDIS_URL set, or after
//                                    ./workbook services start)
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <iostream>

#include "exercise.hpp"
#include "workbook/report.hpp"
#include "workbook/services.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

namespace {

using namespace std::chrono_literals;

// [slide:hello_redis]
asio::awaitable<void> hello(workbook::redis::Client& redis) {
    co_await redis.set("key", "hello world");
    const std::optional<std::string> value = co_await redis.get("key");  // nullopt: no such key
    std::cout << "GET key -> " << value.value_or("(nil)") << "\n";
}
// [/slide]

// The same thousand commands twice: awaited one by one, then pipelined.
// The client counts its writes; each write is one trip to Redis and back.
asio::awaitable<void> round_trips(workbook::redis::Client& redis) {
    constexpr int count = 1000;
    co_await redis.del("demo:counter");

    auto writes = redis.writes();
    workbook::Stopwatch one_by_one;
    for (int i = 0; i < count; ++i) co_await redis.incr("demo:counter");
    std::cout << count << " INCRs, each awaited before the next: " << redis.writes() - writes
              << " writes, " << workbook::milliseconds_text(one_by_one.elapsed()) << "\n";

    std::vector<chapter11::Command> commands(count, chapter11::Command{"INCR", "demo:counter"});
    writes = redis.writes();
    workbook::Stopwatch pipelined;
    const auto replies = co_await chapter11::pipeline(redis, std::move(commands));
    std::cout << count
              << " INCRs in one pipeline (chapter11::pipeline): " << redis.writes() - writes
              << " write(s), " << workbook::milliseconds_text(pipelined.elapsed())
              << "; the last reply says " << replies.back().integer << "\n";
}

// The limiter with a clock the demo moves itself: a minute passes without
// waiting for one.
asio::awaitable<void> rate_limit(workbook::redis::Client& redis) {
    const chapter11::RateLimit rule{5, 60s};
    const auto noon = std::chrono::system_clock::time_point(1'780'000'000s);  // any fixed instant
    // A user of this run alone: the counters of an earlier run are still in
    // Redis until they expire.
    const std::string user =
        "attendee" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    std::cout << "Rate limit of " << rule.limit
              << " calls a minute: 7 calls in one minute, then one a "
              << "minute later\n  ";
    for (int i = 0; i < 7; ++i)
        std::cout << (co_await chapter11::allow(redis, user, noon, rule) ? "allowed " : "refused ");
    std::cout << "| a minute later: "
              << (co_await chapter11::allow(redis, user, noon + 60s, rule) ? "allowed" : "refused")
              << "\n";
}

asio::awaitable<void> demo(std::string host, unsigned short port) {
    workbook::redis::Client redis(co_await asio::this_coro::executor, host, port);
    co_await redis.connect();
    workbook::step("hello_redis");
    co_await hello(redis);
    co_await round_trips(redis);
    co_await rate_limit(redis);
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        const auto url = workbook::service_address("REDIS_URL");
        const auto [host, port] = workbook::redis::parse_address(url);
        std::cout << "Redis at " << host << ":" << port << ", one connection, one thread\n";
        workbook::Stopwatch stopwatch;
        asio::io_context loop(1);
        asio::co_spawn(loop, demo(host, port), [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);  // out of loop.run(), to guarded_main
        });
        loop.run();
        std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
        return 0;
    });
}
