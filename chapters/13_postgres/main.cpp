// Chapter 13: PostgreSQL on the event loop, through a pool.
//
// The idea: a database client is one more thing to wait for, and libpq, the
// server's own C library, can be waited for without a thread: in its
// non-blocking mode it says "wait until the socket is readable", and the
// loop does the waiting. One connection runs one statement at a time, and
// each costs a process on the server; a pool keeps a few open and lends
// them out, so many coroutines share them and none waits for a connect.
//
// Python (the talk):  pool = await aiopg.create_pool(dsn)
//                     async with pool.acquire() as conn:
//                         async with conn.cursor() as cur:
//                             await cur.execute('INSERT INTO speakers (name) VALUES (%s)',
//                             (speaker,))
// C++ (here):         chapter13::Pool pool(executor, url, "chapter13", 4, 5s);
//                     auto conn = co_await pool.acquire();
//                     co_await conn->query("INSERT INTO speakers (name) VALUES ($1)", {speaker});
//
// Run it: ./workbook run 13   (starts a private PostgreSQL, runs this, stops it)
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <functional>
#include <iostream>
#include <set>

#include "exercise.hpp"
#include "workbook/report.hpp"
#include "workbook/services.hpp"
#include "workbook/step.hpp"
#include "workbook/task_group.hpp"
#include "workbook/timing.hpp"

namespace {

using namespace std::chrono_literals;

// Names from the history of concurrent programming (the talk read its
// conference's speakers from speakers.py), and one chosen to break any
// statement that pastes its values into the SQL.
const std::vector<std::string> speakers_list{"Ada Lovelace",   "Edsger Dijkstra",
                                             "Tony Hoare",     "Barbara Liskov",
                                             "Leslie Lamport", "Robert'); DROP TABLE speakers;--"};

// [slide:speakers_main]
asio::awaitable<void> demo(std::string url) {
    chapter13::Pool pool(co_await asio::this_coro::executor, url, "chapter13", 4, 5s);
    co_await chapter13::create_speakers_table(pool);
    for (const auto& name : speakers_list) co_await chapter13::add_speaker(pool, name);
    for (const auto& speaker : co_await chapter13::speakers(pool))
        std::cout << "{id: " << speaker.id << ", name: \"" << speaker.name << "\"}\n";
    // [/slide]

    // Many queries at once, few connections: each answers with the server
    // process that ran it.
    std::vector<std::function<asio::awaitable<std::int64_t>()>> queries;
    for (int i = 0; i < 32; ++i) {
        queries.push_back([&pool]() -> asio::awaitable<std::int64_t> {
            std::vector<workbook::pg::Param> none;
            const auto r = co_await pool.query("SELECT pg_backend_pid() AS pid", std::move(none));
            co_return std::get<std::int64_t>(r.at(0, "pid"));
        });
    }
    workbook::Stopwatch took;
    const auto pids = co_await workbook::task_group(std::move(queries));
    std::cout << "32 queries at once on a pool of " << pool.size() << ": "
              << std::set<std::int64_t>(pids.begin(), pids.end()).size()
              << " server processes answered them, in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took.elapsed()).count()
              << " ms\n";
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        const auto url = workbook::service_address("DATABASE_URL");
        std::cout << "PostgreSQL at " << url << ", a pool of 4 connections, one thread\n";
        workbook::Stopwatch stopwatch;
        asio::io_context loop(1);
        workbook::step("speakers_main");
        asio::co_spawn(loop, demo(url), [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);  // out of loop.run(), to guarded_main
        });
        loop.run();
        std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
        return 0;
    });
}
