// Chapter 13's pool running pgbench's read-only transaction (pgbench -S:
// one row of pgbench_accounts by its primary key, a random one each time),
// with as many coroutines as pgbench has clients and a pool of that size,
// for a fixed time. `./workbook bench pg` runs it beside pgbench against
// one private PostgreSQL, after `pgbench -i`.
//
// With --pipeline P each coroutine sends its selects P at a time in libpq's
// pipeline mode (one round trip for P), and each select counts as one
// transaction, as pgbench counts them.
//
// Usage: workbook-bench-pg [--clients 8] [--seconds 5] [--pipeline P]
//            [--scale 1] [--json]          (PostgreSQL from DATABASE_URL)
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "13_postgres/exercise.hpp"
#include "workbook/services.hpp"
#include "workbook/whole_number.hpp"

namespace {

struct Options {
    long clients = 8;
    long seconds = 5;
    long pipeline = 0;  // 0: one select per round trip
    long scale = 1;     // pgbench -i -s: 100,000 accounts per unit
    bool json = false;
};

struct Run {
    std::chrono::steady_clock::time_point until;
    long long transactions = 0;
    std::string failure;
};

const char* const select_balance = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";

asio::awaitable<void> client(chapter13::Pool& pool, const Options& options, Run& run,
                             unsigned seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<long> aid(1, 100'000 * options.scale);
    try {
        while (std::chrono::steady_clock::now() < run.until && run.failure.empty()) {
            if (options.pipeline == 0) {
                std::vector<workbook::pg::Param> params{aid(random)};
                co_await pool.query(select_balance, std::move(params));
                ++run.transactions;
            } else {
                std::vector<workbook::pg::Statement> batch;
                for (long i = 0; i < options.pipeline; ++i)
                    batch.push_back({select_balance, {aid(random)}});
                auto connection = co_await pool.acquire();
                co_await connection->pipeline(std::move(batch));
                run.transactions += options.pipeline;
            }
        }
    } catch (const std::exception& e) {
        if (run.failure.empty()) run.failure = e.what();
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--json") {
                options.json = true;
                continue;
            }
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            const char* value = argv[++i];
            if (arg == "--clients")
                options.clients = workbook::whole_number_or_throw("--clients", value, 0);
            else if (arg == "--seconds")
                options.seconds = workbook::whole_number_or_throw("--seconds", value, 0);
            else if (arg == "--pipeline")
                options.pipeline = workbook::whole_number_or_throw("--pipeline", value, 0);
            else if (arg == "--scale")
                options.scale = workbook::whole_number_or_throw("--scale", value, 0);
            else
                throw std::invalid_argument("unknown option " + arg);
        }
        if (options.clients == 0 || options.seconds == 0 || options.scale == 0)
            throw std::invalid_argument("--clients, --seconds and --scale must be at least 1");
    } catch (const std::exception& e) {
        std::cerr << "workbook-bench-pg: " << e.what()
                  << "\nusage: workbook-bench-pg [--clients N] [--seconds S] [--pipeline P] "
                     "[--scale S] [--json]\n";
        return 2;
    }
    try {
        const auto url = workbook::service_address("DATABASE_URL");
        asio::io_context loop(1);
        chapter13::Pool pool(loop.get_executor(), url, "workbook-bench-pg",
                             static_cast<std::size_t>(options.clients), std::chrono::seconds(10));
        Run run;
        // Open every connection first (pgbench too connects before it
        // starts its clock), then run for the time given.
        asio::co_spawn(
            loop,
            [&]() -> asio::awaitable<void> {
                std::vector<chapter13::Pool::Lease> leases;
                for (long c = 0; c < options.clients; ++c)
                    leases.push_back(co_await pool.acquire());
            }(),
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
        loop.run();
        loop.restart();
        run.until = std::chrono::steady_clock::now() + std::chrono::seconds(options.seconds);
        const auto start = std::chrono::steady_clock::now();
        for (long c = 0; c < options.clients; ++c) {
            asio::co_spawn(loop, client(pool, options, run, static_cast<unsigned>(c + 1)),
                           [](std::exception_ptr) {});
        }
        loop.run();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (!run.failure.empty()) {
            std::cerr << "workbook-bench-pg: " << run.failure << "\n";
            return 1;
        }
        const double tps = static_cast<double>(run.transactions) / took.count();
        if (options.json) {
            std::printf(
                "{\"client\": \"chapter13\", \"clients\": %ld, \"pipeline\": %ld, "
                "\"tps\": %.0f}\n",
                options.clients, options.pipeline, tps);
        } else {
            std::printf("TPS %.0f\n", tps);
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "workbook-bench-pg: " << e.what() << "\n";
        return 1;
    }
}
