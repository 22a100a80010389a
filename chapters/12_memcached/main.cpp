// Chapter 12: memcached, a cache in front of a slow API.
//
// The idea: the fastest request is the one you do not send. A cache keeps
// the answers of a slow service (here the GitHub API) where they are cheap
// to read again, for as long as they may be trusted (a time to live). On the
// event loop, one new thing goes wrong: many coroutines can miss the same
// key at the same moment, and each then asks the slow service, which is
// exactly the load the cache was meant to spare it. Chapter 12 fixes that
// with one lookup per key at a time.
//
// Python (the talk):  mc = aiomcache.Client('127.0.0.1', 11211)
//                     await mc.set(b'key', b'hello world')
//                     value = await mc.get(b'key')
// C++ (here):         workbook::memcached::Client mc(executor, host, port);
//                     co_await mc.connect();
//                     co_await mc.set("key", "hello world");
//                     auto value = co_await mc.get("key");
//
// Run it: ./workbook run 12   (starts a private memcached and the stand-in)
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <functional>
#include <iostream>

#include "exercise.hpp"
#include "workbook/fetch_demo.hpp"
#include "workbook/github_async.hpp"
#include "workbook/services.hpp"
#include "workbook/stand_in_stats.hpp"
#include "workbook/step.hpp"
#include "workbook/task_group.hpp"
#include "workbook/timing.hpp"

namespace {

using namespace std::chrono_literals;

// [slide:hello_memcached]
asio::awaitable<void> hello(workbook::memcached::Client& mc) {
    co_await mc.set("key", "hello world");
    const std::optional<workbook::memcached::Item> item =
        co_await mc.get("key");  // nullopt: a miss
    std::cout << "get key -> " << (item ? item->value : "(miss)") << "\n";
}
// [/slide]

// Runs one step of the demo on the loop and returns when it is done. (The
// clients' readers keep the loop busy for as long as they live, so the
// step's end stops the loop rather than waiting for it to run dry.)
template <class T>
T run_step(asio::io_context& loop, asio::awaitable<T> step) {
    std::optional<T> result;
    std::exception_ptr failure;
    asio::co_spawn(loop, std::move(step), [&](std::exception_ptr e, T value) {
        failure = e;
        if (!e) result = std::move(value);
        loop.stop();
    });
    loop.restart();
    loop.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*result);
}

// How many requests the stand-in answered since the last call, or -1 when
// the API is not the stand-in (it alone has /_stats).
long long api_requests(const workbook::ApiConfig& api) {
    try {
        const auto count = workbook::read_stand_in_stats(api).requests;
        workbook::reset_stand_in_stats(api);
        return count;
    } catch (const std::exception&) {
        return -1;
    }
}

std::string requests_text(long long n) {
    return n < 0 ? "(not the stand-in: no count)" : std::to_string(n) + " request(s) to the API";
}

int cache_demo(const workbook::ApiConfig& api) {
    const auto [host, port] =
        workbook::memcached::parse_address(workbook::service_address("MEMCACHED_ADDR"));
    std::cout << "memcached at " << host << ":" << port << ", the API at " << api.origin()
              << ", one thread\n";
    workbook::Stopwatch stopwatch;
    asio::io_context loop(1);
    workbook::memcached::Client mc(loop.get_executor(), host, port);
    auto github = workbook::github_client(loop.get_executor(), api);
    run_step(loop, [&]() -> asio::awaitable<int> {
        co_await mc.connect();
        workbook::step("hello_memcached");
        co_await hello(mc);
        // A fresh start: this demo's entries from an earlier run are dropped.
        for (const auto& name : workbook::repositories())
            co_await mc.del(chapter12::cache_key(name));
        co_return 0;
    }());

    // The twenty repositories twice, every lookup at once through RepoCache.
    chapter12::RepoCache repos(mc, github, api, 300s);
    const auto look_up_all = [&]() -> asio::awaitable<std::size_t> {
        std::vector<std::function<asio::awaitable<workbook::RepoInfo>()>> lookups;
        for (const auto& name : workbook::repositories())
            lookups.push_back([&repos, name] { return repos.get(name); });
        co_return (co_await workbook::task_group(std::move(lookups))).size();
    };
    api_requests(api);
    for (const char* pass : {"cold cache", "warm cache"}) {
        workbook::Stopwatch took;
        const auto found = run_step(loop, look_up_all());
        std::cout << found << " repositories, " << pass << ": "
                  << workbook::milliseconds_text(took.elapsed()) << ", "
                  << requests_text(api_requests(api)) << "\n";
    }

    // A stampede: ten lookups of one repository that has just left the
    // cache, all at once; first with cached_repo alone, then with RepoCache.
    const std::string name = workbook::repositories().front();
    for (const bool coalesce : {false, true}) {
        run_step(loop, [&]() -> asio::awaitable<int> {
            co_await mc.del(chapter12::cache_key(name));
            co_return 0;
        }());
        api_requests(api);
        run_step(loop, [&]() -> asio::awaitable<std::size_t> {
            std::vector<std::function<asio::awaitable<workbook::RepoInfo>()>> lookups;
            for (int i = 0; i < 10; ++i) {
                lookups.push_back([&]() {
                    return coalesce ? repos.get(name)
                                    : chapter12::cached_repo(mc, github, api, name, 300s);
                });
            }
            co_return (co_await workbook::task_group(std::move(lookups))).size();
        }());
        std::cout << "10 lookups of " << name << " at once, just dropped from the cache, "
                  << (coalesce ? "through RepoCache: " : "with cached_repo alone: ")
                  << requests_text(api_requests(api)) << "\n";
    }
    std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
    return 0;
}

}  // namespace

int main() {
    return workbook::demo_main(cache_demo);
}
