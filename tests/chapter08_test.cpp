// Chapter 08 specification, one idea per TODO. The limit (08.1): the
// semaphore suspends coroutines, not the thread, and serves them first come,
// first served. The timeout (08.2): fetch_one holds a slot for its request
// and times it from then, so the given fetch_all has exactly `limit`
// requests in flight at its peak, as the stand-in counts them, and keeps
// every result. Cancellation (08.3): a cancelled waiter leaves the line, and
// a cancelled batch ends at once, keeps what had finished and leaves no
// socket open. Read it; do not edit it.
#include "support/doctest.hpp"

#include <algorithm>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "exercise.hpp"
#include "support/results.hpp"
#include "support/run_loop.hpp"
#include "support/test_stand_in.hpp"
#include "support/watchdog.hpp"
#include "workbook/github_async.hpp"
#include "workbook/task_group.hpp"

using namespace std::chrono_literals;
using chapter08::AsyncSemaphore;
using workbook::Fault;
using workbook::testing::bench_names;
using workbook::testing::check_all_ok_in_order;
using workbook::testing::count_ok;
using workbook::testing::if_it_hangs;
using workbook::testing::mentions;
using workbook::testing::quick;
using workbook::testing::run_loop;
using workbook::testing::TestStandIn;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds wait) {
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    co_await timer.async_wait(asio::use_awaitable);
}

using Task = std::function<asio::awaitable<int>()>;

// A task that takes a slot, logs "NAME got", holds the slot for `hold`, and
// gives it back.
Task holder(AsyncSemaphore& semaphore, std::vector<std::string>& log, std::string name,
            std::chrono::milliseconds hold) {
    return [&semaphore, &log, name, hold]() -> asio::awaitable<int> {
        auto slot = co_await semaphore.acquire();
        log.push_back(name + " got");
        co_await sleep_for(hold);
        log.push_back(name + " gives back");
        co_return 0;
    };
}

// The sockets this process has open, from /proc/self/fd.
int open_sockets() {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        const auto target = std::filesystem::read_symlink(entry.path(), ec);
        if (!ec && target.string().rfind("socket:", 0) == 0) ++n;
    }
    return n;
}

constexpr const char* blocks_the_thread =
    "acquire() blocked the loop's one thread (std::counting_semaphore, a std::mutex or a condition "
    "variable?), so the coroutines holding slots can never run to give one back: queue the coroutine "
    "and co_await a timer instead";

// Each test that can hang has a deadline of its own, far shorter than the
// watchdog's usual 50 s: a blocking acquire() would otherwise make every
// test of the chapter wait its 50 s, and `check 08` run for minutes.
constexpr const char* fetch_hangs =
    "the fetches never finished: an acquire() that blocks the loop's one thread (see 08.1), or a slot "
    "that is never given back (keep the Slot alive until the request is done, and let it go on every "
    "path, errors too), leaves the other coroutines waiting forever";

}  // namespace

TEST_CASE("08.1 acquire takes a free slot at once and a Slot gives it back when it goes") {
    if_it_hangs(blocks_the_thread, std::chrono::seconds(5));
    AsyncSemaphore semaphore(2);
    run_loop([&]() -> asio::awaitable<int> {
        auto a = co_await semaphore.acquire();
        auto b = co_await semaphore.acquire();
        CHECK(semaphore.available() == 0);
        CHECK(semaphore.waiting() == 0);
        a = AsyncSemaphore::Slot{};  // the old slot is given back
        CHECK(semaphore.available() == 1);
        co_return 0;
    }());
    CHECK(semaphore.available() == 2);  // b too, at the end of the coroutine
}

TEST_CASE(
    "08.1 a waiter is suspended (not the thread) until a slot comes back - first come first served") {
    if_it_hangs(blocks_the_thread, std::chrono::seconds(5));
    AsyncSemaphore semaphore(1);
    std::vector<std::string> log;
    std::vector<Task> tasks{
        holder(semaphore, log, "first", 100ms), holder(semaphore, log, "second", 10ms),
        holder(semaphore, log, "third", 10ms), holder(semaphore, log, "fourth", 10ms)};
    // While the others wait, the loop's thread must go on running this one.
    tasks.push_back([&]() -> asio::awaitable<int> {
        co_await sleep_for(30ms);
        log.push_back("ticker runs while " + std::to_string(semaphore.waiting()) + " wait");
        co_return 0;
    });
    run_loop(workbook::task_group(std::move(tasks)), 5s,
             "a waiter was never woken: release() must wake the first waiter (cancel its timer)");
    const std::vector<std::string> expected{"first got",         "ticker runs while 3 wait",
                                            "first gives back",  "second got",
                                            "second gives back", "third got",
                                            "third gives back",  "fourth got",
                                            "fourth gives back"};
    CHECK(log == expected);
    CHECK(semaphore.available() == 1);
}

TEST_CASE("08.1 a slot given back goes to the first waiter - a newcomer cannot overtake it") {
    // B waits for the only slot. When it is given back, a newcomer (this
    // coroutine, asking again at once) must queue behind B, although B has
    // not run yet: first come, first served.
    if_it_hangs(blocks_the_thread, std::chrono::seconds(5));
    AsyncSemaphore semaphore(1);
    std::vector<std::string> log;
    run_loop(
        [&]() -> asio::awaitable<int> {
            auto executor = co_await asio::this_coro::executor;
            auto held = co_await semaphore.acquire();
            asio::co_spawn(executor, holder(semaphore, log, "B", 20ms), asio::detached);
            // B is in line once it waits for the slot: a few turns of the
            // loop (co_spawn takes some), not a fixed time.
            for (int turn = 0; turn < 100 && semaphore.waiting() == 0; ++turn)
                co_await asio::post(executor, asio::use_awaitable);
            held = AsyncSemaphore::Slot{};              // given back while B waits...
            auto again = co_await semaphore.acquire();  // ...and asked for again at once
            log.push_back("newcomer got");
            co_return 0;
        }(),
        5s, "the newcomer never got the slot back from B");
    const std::vector<std::string> expected{"B got", "B gives back", "newcomer got"};
    CHECK_MESSAGE(
        log == expected,
        "a newcomer took the slot that release() gave back while B was already waiting: hand the slot "
        "straight to the first waiter (mark it granted and wake it) instead of raising available_, "
        "which anyone asking before B runs again can take");
}

TEST_CASE("08.2 fetch_one holds a slot for its request and gives it back whatever the answer") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(5));
    TestStandIn s(quick({{"bad/one", Fault::not_found}}));
    AsyncSemaphore semaphore(1);
    const auto results = run_loop(
        [&]() -> asio::awaitable<std::vector<workbook::FetchResult>> {
            auto client = workbook::github_client(co_await asio::this_coro::executor, s.api);
            std::vector<workbook::FetchResult> out;
            out.push_back(
                co_await chapter08::fetch_one(semaphore, client, s.api, "aio-libs/aiohttp", 5s));
            out.push_back(co_await chapter08::fetch_one(semaphore, client, s.api, "bad/one", 5s));
            out.push_back(
                co_await chapter08::fetch_one(semaphore, client, s.api, "python/cpython", 5s));
            co_return out;
        }(),
        5s,
        "a fetch_one never got its slot: the slot of the request that failed (404) "
        "was not given back. Hold it in a Slot, which gives it back however the "
        "block ends, exception or not");
    REQUIRE(results.size() == 3);
    REQUIRE(results[0].ok());
    CHECK(results[0].info->stargazers_count == 15300);
    CHECK_FALSE(results[1].ok());
    CHECK(mentions(results[1].error, "bad/one"));
    CHECK(mentions(results[1].error, "404"));
    CHECK(results[2].ok());  // the slot came back after the 404
    CHECK_MESSAGE(semaphore.available() == 1,
                  "a slot was not given back: keep it in a Slot for the whole "
                  "fetch, which gives it back however the block ends");
}

TEST_CASE("08.2 a hung request ends at its timeout with an error that names it") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(5));
    TestStandIn s(quick({{"workbook-bench/repo-1", Fault::hang}}));
    AsyncSemaphore semaphore(2);
    const auto result = run_loop(
        [&]() -> asio::awaitable<workbook::FetchResult> {
            auto client = workbook::github_client(co_await asio::this_coro::executor,
                                                  s.api);  // its own timeouts: 10 s
            co_return co_await chapter08::fetch_one(semaphore, client, s.api,
                                                    "workbook-bench/repo-1", 300ms);
        }(),
        5s,
        "fetch_one did not give up on a request that is never answered: run the fetch under "
        "workbook::with_timeout(..., timeout), with the `timeout` it was given");
    CHECK_FALSE(result.ok());
    CHECK(mentions(result.error, "workbook-bench/repo-1"));
    CHECK(mentions(result.error, "300 ms"));
    CHECK(semaphore.available() == 2);
}

TEST_CASE(
    "08.2 the timeout counts from when the request has its slot - not from when its task started") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(5));
    // One slot, eight requests of 100 ms each, a timeout of 500 ms: the last
    // starts 700 ms after its task did, yet its own request takes 100 ms.
    TestStandIn s(quick({}, 100ms));
    AsyncSemaphore semaphore(1);
    const auto results = run_loop([&]() -> asio::awaitable<std::vector<workbook::FetchResult>> {
        auto client = workbook::github_client(co_await asio::this_coro::executor, s.api);
        std::vector<std::function<asio::awaitable<workbook::FetchResult>()>> tasks;
        for (const auto& name : bench_names(8)) {
            tasks.push_back(
                [&, name] { return chapter08::fetch_one(semaphore, client, s.api, name, 500ms); });
        }
        co_return co_await workbook::task_group(std::move(tasks));
    }());
    const int ok = count_ok(results);
    CHECK_MESSAGE(
        ok == 8,
        (8 -
         ok) << " of 8 requests timed out although each takes 100 ms of its 500 ms: the timeout "
                "counted the time spent waiting for the slot. Take the slot first, then start "
                "with_timeout");
    CHECK(s.stats().max_in_flight == 1);
}

TEST_CASE(
    "08.2 fetch_all has exactly limit requests in flight at its peak and returns all in order") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(5));
    TestStandIn s(quick({}, 100ms));
    const auto names = bench_names(30);
    const auto results = run_loop(chapter08::fetch_all(s.api, names, 7));
    check_all_ok_in_order(results, names);
    const auto stats = s.stats();
    CHECK(stats.requests == 30);
    CHECK_MESSAGE(stats.max_in_flight <= 7,
                  stats.max_in_flight << " requests were in flight at once with a limit "
                                         "of 7: does every task take a slot of one shared "
                                         "AsyncSemaphore(limit) before its request?");
    CHECK_MESSAGE(stats.max_in_flight >= 7,
                  "at most " << stats.max_in_flight
                             << " requests at once with a limit of "
                                "7: start every task at once (task_group), and let the "
                                "semaphore alone hold them back");
}

TEST_CASE("08.2 fetch_all with limit 1 fetches one at a time") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(5));
    TestStandIn s(quick({}, 20ms));
    const auto results = run_loop(chapter08::fetch_all(s.api, bench_names(5), 1));
    CHECK(count_ok(results) == 5);
    CHECK_MESSAGE(s.stats().max_in_flight == 1,
                  s.stats().max_in_flight
                      << " requests at once with a limit of 1: does every task take its slot of "
                         "the one shared AsyncSemaphore before its request, and hold it until "
                         "the answer is in?");
}

TEST_CASE("08.2 fetch_all reports each failure and keeps every other result") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(5));
    TestStandIn s(quick({{"bad/one", Fault::not_found},
                         {"workbook-bench/repo-3", Fault::hang},
                         {"workbook-bench/repo-5", Fault::truncated},
                         {"workbook-bench/repo-6", Fault::malformed}}));
    auto names = bench_names(10);
    names.insert(names.begin() + 2, "bad/one");
    const auto results = run_loop(chapter08::fetch_all(s.api, names, 3, 400ms), 10s);
    REQUIRE(results.size() == names.size());
    CHECK(count_ok(results) == 7);
    CHECK(mentions(results[2].error, "bad/one"));
    CHECK(mentions(results[2].error, "404"));
    CHECK(mentions(results[4].error, "workbook-bench/repo-3"));
    CHECK(mentions(results[4].error, "400 ms"));
    CHECK(mentions(results[6].error, "workbook-bench/repo-5"));
    CHECK(mentions(results[7].error, "workbook-bench/repo-6"));
    // The hung request the client gave up on stays "in flight" at the
    // stand-in, which cannot know: one more than the limit is no fault of
    // the client's.
    CHECK(s.stats().max_in_flight <= 3 + 1);
}

TEST_CASE("08.3 a cancelled waiter leaves the line and takes no slot (operation_aborted)") {
    if_it_hangs(blocks_the_thread, std::chrono::seconds(5));
    AsyncSemaphore semaphore(1);
    std::error_code waiter_error;
    bool waiter_got_slot = false;
    run_loop([&]() -> asio::awaitable<int> {
        auto executor = co_await asio::this_coro::executor;
        auto held = co_await semaphore.acquire();
        asio::cancellation_signal cancel;
        bool waiter_done = false;
        asio::co_spawn(executor, semaphore.acquire(),
                       asio::bind_cancellation_slot(
                           cancel.slot(), [&](std::exception_ptr e, AsyncSemaphore::Slot) {
                               waiter_done = true;
                               if (!e) {
                                   waiter_got_slot = true;
                                   return;
                               }
                               try {
                                   std::rethrow_exception(e);
                               } catch (const asio::system_error& error) {
                                   waiter_error = error.code();
                               }
                           }));
        co_await sleep_for(20ms);
        CHECK(semaphore.waiting() == 1);
        cancel.emit(asio::cancellation_type::terminal);
        co_await sleep_for(20ms);
        CHECK_MESSAGE(waiter_done,
                      "the cancelled waiter did not end: a cancellation ends its timer's wait too; "
                      "then acquire must see that it was not granted");
        CHECK_MESSAGE(semaphore.waiting() == 0,
                      "the cancelled waiter is still in the line: leave_line(me) must take "
                      "it out of waiters_");
        held = AsyncSemaphore::Slot{};  // nobody waits now: the slot goes back to the semaphore
        CHECK(semaphore.available() == 1);
        co_return 0;
    }());
    CHECK_FALSE(waiter_got_slot);
    CHECK(waiter_error == asio::error::operation_aborted);
}

TEST_CASE(
    "08.3 cancelling fetch_all ends every task at once - keeps what had finished - leaves no socket open") {
    if_it_hangs(blocks_the_thread, std::chrono::seconds(5));
    // The stand-in in a process of its own, so that every socket this
    // process holds is the client's. Limit 4: the four quick ones finish,
    // then four hung requests hold every slot, and the rest wait in line.
    workbook::testing::TestStandIn stand_in(workbook::testing::TestStandIn::Process{
        {"--latency", "10", "--fault", "workbook-bench/repo-2=hang", "--fault",
         "workbook-bench/repo-3=hang", "--fault", "workbook-bench/repo-6=hang", "--fault",
         "workbook-bench/repo-7=hang"}});
    const auto names = bench_names(12);
    const std::vector<bool> quick_one{true,  true,  false, false, true,  true,
                                      false, false, false, false, false, false};
    const int sockets_before = open_sockets();
    const auto results = run_loop(
        [&]() -> asio::awaitable<std::vector<workbook::FetchResult>> {
            auto executor = co_await asio::this_coro::executor;
            asio::cancellation_signal cancel;
            // "Ctrl-C" once the stand-in has answered the four quick ones and
            // holds the four hung ones: asked of the stand-in every 20 ms rather
            // than guessed with a fixed delay, which a slow machine (or a
            // sanitizer) could outrun. (A short blocking call to the stand-in's
            // own process: a test's shortcut, never a pattern for the loop.)
            asio::co_spawn(
                executor,
                [&]() -> asio::awaitable<void> {
                    asio::steady_timer poll(co_await asio::this_coro::executor);
                    for (int i = 0; i < 400; ++i) {
                        const auto stats = stand_in.stats();
                        const auto answered = std::count_if(
                            stats.log.begin(), stats.log.end(),
                            [](const workbook::StatsEntry& e) { return e.status == 200; });
                        if (answered >= 4 && stats.in_flight >= 4) break;
                        poll.expires_after(20ms);
                        co_await poll.async_wait(asio::use_awaitable);
                    }
                    cancel.emit(asio::cancellation_type::terminal);
                },
                asio::detached);
            // A 30 s timeout: only the cancellation can end the hung requests in time.
            co_return co_await asio::co_spawn(
                executor, chapter08::fetch_all(stand_in.api, names, 4, 30s),
                asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
        }(),
        10s);
    REQUIRE(results.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CAPTURE(results[i].error);
        CHECK(results[i].full_name == names[i]);
        if (quick_one[i]) {
            CHECK(results[i].ok());
        } else {
            CHECK_FALSE(results[i].ok());
            CHECK(mentions(results[i].error, names[i]));
            CHECK(mentions(results[i].error, "cancelled"));
        }
    }
    CHECK(open_sockets() == sockets_before);
    CHECK(stand_in.stats().max_in_flight <= 4);
}

TEST_CASE("08.2 fetch_all works over HTTPS") {
    if_it_hangs(fetch_hangs, std::chrono::seconds(8));
    TestStandIn s(quick(), /*tls=*/true);
    const auto results = run_loop(chapter08::fetch_all(s.api, bench_names(12), 4));
    CHECK(count_ok(results) == 12);
    CHECK_MESSAGE(s.stats().max_in_flight == 4,
                  s.stats().max_in_flight
                      << " requests at once over HTTPS with a limit of 4 (over HTTP the same "
                         "code should reach exactly the limit too): is the slot held through the "
                         "TLS handshake and the answer, and are all tasks started at once?");
}
