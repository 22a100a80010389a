// The Redis client's throughput, measured as redis-benchmark measures its
// own: CLIENTS connections, each with PIPELINE commands in flight, the same
// keys and values (SET key:__rand_int__ xxx, GET key:__rand_int__), until
// REQUESTS commands have been answered. `./workbook bench redis` runs it
// beside redis-benchmark against one private Redis and compares.
//
// One difference in how the depth is kept: redis-benchmark -P 16 sends 16
// commands and waits for all 16 replies before it sends the next 16; here
// each connection has PIPELINE coroutines, each issuing its next command as
// soon as its reply is in, and the client gathers what they issue into one
// write. Both keep at most PIPELINE commands of a connection in flight.
//
// --command lrange reads one long reply instead: LRANGE KEY 0 -1 on one
// connection, the whole list in one array (a million elements, 18 MB, in
// hundreds of reads); it prints how many elements came. `./workbook bench
// redis` times it beside redis-cli reading the same list.
//
// Usage: workbook-bench-redis --command set|get [--clients 50] [--pipeline 1]
//            [--requests 100000] [--json]     (Redis from REDIS_URL)
//        workbook-bench-redis --command lrange [--key biglist]
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "workbook/redis.hpp"
#include "workbook/services.hpp"
#include "workbook/whole_number.hpp"

namespace {

struct Options {
    std::string command = "set";
    long clients = 50;
    long pipeline = 1;
    long requests = 100'000;
    std::string key = "biglist";  // lrange
    bool json = false;
};

struct Run {
    long remaining;  // commands not yet issued; every coroutine runs on the one thread
    long answered = 0;
    std::string failure;
};

// One of a connection's PIPELINE coroutines: commands until none are left.
asio::awaitable<void> keep_issuing(workbook::redis::Client& redis, const Options& options,
                                   Run& run) {
    const bool set = options.command == "set";
    try {
        while (run.remaining > 0) {
            --run.remaining;
            if (set) {
                co_await redis.set("key:__rand_int__", "xxx");
            } else {
                co_await redis.get("key:__rand_int__");
            }
            ++run.answered;
        }
    } catch (const std::exception& e) {
        if (run.failure.empty()) run.failure = e.what();
        run.remaining = 0;
    }
}

// --command lrange: the whole list in one reply. The loop is stopped here:
// the client's reader waits on its socket for as long as the client lives.
asio::awaitable<void> read_list(workbook::redis::Client& redis, const std::string& key,
                                std::size_t& elements, asio::io_context& loop) {
    co_await redis.connect();
    std::vector<std::string> args{"LRANGE", key, "0", "-1"};
    const auto list = co_await redis.command(std::move(args));
    elements = list.elements.size();
    loop.stop();
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            const char* value = i + 1 < argc ? argv[i + 1] : "";
            if (arg == "--json") {
                options.json = true;
                continue;
            }
            if (arg == "--command") {
                options.command = value;
            } else if (arg == "--clients") {
                options.clients = workbook::whole_number_or_throw("--clients", value, 1);
            } else if (arg == "--pipeline") {
                options.pipeline = workbook::whole_number_or_throw("--pipeline", value, 1);
            } else if (arg == "--requests") {
                options.requests = workbook::whole_number_or_throw("--requests", value, 1);
            } else if (arg == "--key") {
                options.key = value;
            } else {
                throw std::invalid_argument("unknown option " + arg);
            }
            ++i;
        }
        if (options.command != "set" && options.command != "get" && options.command != "lrange")
            throw std::invalid_argument("--command is set, get or lrange");
    } catch (const std::exception& e) {
        std::cerr << "workbook-bench-redis: " << e.what()
                  << "\nusage: workbook-bench-redis --command set|get [--clients N] [--pipeline P] "
                     "[--requests N] [--json]\n       workbook-bench-redis --command lrange "
                     "[--key KEY]\n";
        return 2;
    }
    try {
        const auto [host, port] =
            workbook::redis::parse_address(workbook::service_address("REDIS_URL"));
        asio::io_context loop(1);
        if (options.command == "lrange") {
            workbook::redis::Client redis(loop.get_executor(), host, port);
            std::size_t elements = 0;
            asio::co_spawn(loop, read_list(redis, options.key, elements, loop),
                           [](std::exception_ptr e) {
                               if (e) std::rethrow_exception(e);
                           });
            loop.run();
            std::printf("LRANGE %zu\n", elements);
            return 0;
        }
        std::vector<std::unique_ptr<workbook::redis::Client>> clients;
        // Connect every client first, then start the clock. Each client's
        // reader waits on its socket for as long as the client lives, so the
        // loop never runs out of work: the last to finish stops it.
        long connecting = options.clients;
        for (long c = 0; c < options.clients; ++c) {
            clients.push_back(
                std::make_unique<workbook::redis::Client>(loop.get_executor(), host, port));
            asio::co_spawn(loop, clients.back()->connect(), [&](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
                if (--connecting == 0) loop.stop();
            });
        }
        loop.run();
        loop.restart();
        Run run{options.requests, 0, {}};
        long issuing = options.clients * options.pipeline;
        const auto start = std::chrono::steady_clock::now();
        for (auto& client : clients) {
            for (long p = 0; p < options.pipeline; ++p) {
                asio::co_spawn(loop, keep_issuing(*client, options, run), [&](std::exception_ptr) {
                    if (--issuing == 0) loop.stop();
                });
            }
        }
        loop.run();
        const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
        if (!run.failure.empty()) {
            std::cerr << "workbook-bench-redis: " << run.failure << "\n";
            return 1;
        }
        const double per_second = static_cast<double>(run.answered) / seconds.count();
        if (options.json) {
            std::printf(
                "{\"client\": \"chapter11\", \"command\": \"%s\", \"pipeline\": %ld, "
                "\"ops_per_s\": %.0f}\n",
                options.command == "set" ? "SET" : "GET", options.pipeline, per_second);
        } else {
            std::printf("%s %.0f\n", options.command == "set" ? "SET" : "GET", per_second);
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "workbook-bench-redis: " << e.what() << "\n";
        return 1;
    }
}
