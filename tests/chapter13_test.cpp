// Chapter 13 specification: a pool of PostgreSQL connections (13.1) and the
// speakers stored through it (13.2), on the real PostgreSQL the `services`
// fixture starts. How many connections the pool opened is what the server
// says: the backend PIDs that answered, and pg_stat_activity. Read it; do
// not edit it.
#include "support/doctest.hpp"

#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "workbook/task_group.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using chapter13::Pool;
using chapter13::Speaker;
using workbook::pg::Param;
using workbook::testing::mentions;
using workbook::testing::run_loop;
using workbook::testing::unique_key;

namespace {

std::string database_url() {
    return workbook::testing::fixture_address("DATABASE_URL");
}

const char* const pool_hangs =
    "the pool never lent a connection: does acquire() wait for a slot with a time limit "
    "(with_timeout), and does every Lease give its slot back?";

// Runs body(pool) with a pool of `size` connections named `name`.
template <class T>
T with_pool(std::size_t size, const std::string& name,
            std::function<asio::awaitable<T>(Pool&)> body,
            std::chrono::milliseconds wait_limit = 5s) {
    const auto url = database_url();
    return run_loop(
        [&]() -> asio::awaitable<T> {
            Pool pool(co_await asio::this_coro::executor, url, name, size, wait_limit);
            co_return co_await body(pool);
        }(),
        20s, pool_hangs);
}

// The backend PID of `n` queries, all issued at once through the pool.
asio::awaitable<std::set<std::int64_t>> pids_of(Pool& pool, int n) {
    std::vector<std::function<asio::awaitable<std::int64_t>()>> queries;
    for (int i = 0; i < n; ++i) {
        queries.push_back([&pool]() -> asio::awaitable<std::int64_t> {
            std::vector<Param> none;
            const auto r = co_await pool.query("SELECT pg_backend_pid() AS pid", std::move(none));
            co_return std::get<std::int64_t>(r.at(0, "pid"));
        });
    }
    const auto pids = co_await workbook::task_group(std::move(queries));
    co_return std::set<std::int64_t>(pids.begin(), pids.end());
}

asio::awaitable<std::int64_t> count(workbook::pg::Connection& db, const std::string& sql,
                                    std::string name) {
    std::vector<Param> params{std::move(name)};
    const auto r = co_await db.query(sql, std::move(params));
    co_return std::get<std::int64_t>(r.rows[0][0]);
}

}  // namespace

TEST_CASE("13.1 32 queries at once on a pool of 4 are served by exactly 4 connections") {
    const auto pids = with_pool<std::set<std::int64_t>>(
        4, unique_key("ch13-pool"), [](Pool& pool) { return pids_of(pool, 32); });
    CHECK_MESSAGE(pids.size() == 4,
                  pids.size() << " different server processes answered 32 queries on a pool of "
                                 "4: more than 4 means a connection per query (or no limit); "
                                 "fewer, that the queries did not run 4 at a time");
}

TEST_CASE("13.1 a connection given back is lent again - not opened anew") {
    const auto pids = with_pool<std::set<std::int64_t>>(
        4, unique_key("ch13-reuse"), [](Pool& pool) -> asio::awaitable<std::set<std::int64_t>> {
            std::set<std::int64_t> seen;
            for (int i = 0; i < 10; ++i) {
                const auto one = co_await pids_of(pool, 1);
                seen.insert(one.begin(), one.end());
            }
            CHECK(pool.idle() == 1);
            co_return seen;
        });
    CHECK_MESSAGE(pids.size() == 1, "10 queries one after the other were served by "
                                        << pids.size()
                                        << " connections: give_back "
                                           "must keep a connected "
                                           "connection in idle_ for "
                                           "the next acquire");
}

TEST_CASE("13.1 while all 4 are busy a 5th query waits - the server sees exactly 4 connections") {
    const auto name = unique_key("ch13-busy");
    const auto url = database_url();
    struct Seen {
        std::int64_t connections = 0, waiting_on_lock = 0;
        std::size_t waiting_in_pool = 0;
        std::size_t done = 0;
    };
    const auto seen = run_loop(
        [&]() -> asio::awaitable<Seen> {
            const auto executor = co_await asio::this_coro::executor;
            // The test holds an advisory lock; each query of the pool waits
            // for it on the server, so its connection stays busy.
            workbook::pg::Connection holder(executor, url, "ch13-holder");
            co_await holder.connect();
            co_await holder.query("SELECT pg_advisory_lock(1313)");
            Pool pool(executor, url, name, 4, 10s);
            Seen s;
            std::vector<std::function<asio::awaitable<int>()>> queries;
            for (int i = 0; i < 5; ++i) {
                queries.push_back([&pool]() -> asio::awaitable<int> {
                    std::vector<Param> none;
                    co_await pool.query("SELECT pg_advisory_xact_lock_shared(1313)",
                                        std::move(none));
                    co_return 1;
                });
            }
            // The five queries run beside this coroutine, which watches the
            // server until four of them wait for the lock (or 5 s pass).
            std::size_t finished = 0;
            asio::co_spawn(
                executor, workbook::task_group(std::move(queries)),
                [&](std::exception_ptr, std::vector<int> done) { finished = done.size(); });
            workbook::pg::Connection observer(executor, url, "ch13-observer");
            co_await observer.connect();
            for (int i = 0; i < 50; ++i) {
                s.waiting_on_lock = co_await count(
                    observer,
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND "
                    "wait_event_type = 'Lock'",
                    name);
                if (s.waiting_on_lock >= 4) break;
                asio::steady_timer pause(executor, 100ms);
                co_await pause.async_wait(asio::use_awaitable);
            }
            s.connections = co_await count(
                observer, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                name);
            s.waiting_in_pool = pool.waiting();
            co_await holder.query("SELECT pg_advisory_unlock(1313)");
            for (int i = 0; i < 100 && finished == 0; ++i) {
                asio::steady_timer pause(executor, 50ms);
                co_await pause.async_wait(asio::use_awaitable);
            }
            s.done = finished;
            co_return s;
        }(),
        20s, pool_hangs);
    CHECK_MESSAGE(seen.connections == 4, "pg_stat_activity showed "
                                             << seen.connections
                                             << " connections of the pool while its queries were "
                                                "busy: a pool of 4 opens 4 at most, and the 5th "
                                                "query waits for one of them");
    CHECK(seen.waiting_on_lock == 4);
    CHECK_MESSAGE(seen.waiting_in_pool == 1, seen.waiting_in_pool
                                                 << " queries were waiting for a slot of the "
                                                    "pool; the 5th should have been");
    CHECK_MESSAGE(seen.done == 5,
                  "once the lock was released, " << seen.done << " of the 5 queries finished");
}

TEST_CASE("13.1 an exhausted pool waits at most its limit - then says so") {
    std::string said;
    with_pool<int>(
        1, unique_key("ch13-exhausted"),
        [&](Pool& pool) -> asio::awaitable<int> {
            auto held = co_await pool.acquire();
            try {
                co_await pool.acquire();
            } catch (const chapter13::PoolExhausted& e) {
                said = e.what();
            }
            co_return 0;
        },
        200ms);
    CHECK_MESSAGE(!said.empty(),
                  "a second acquire on a pool of 1 whose connection is lent must "
                  "give up after wait_limit with PoolExhausted");
    CHECK(mentions(said, "200 ms"));
}

TEST_CASE("13.1 a connection that broke is not lent again") {
    const auto name = unique_key("ch13-broken");
    const auto url = database_url();
    const auto pids = with_pool<std::vector<std::int64_t>>(
        1, name, [&](Pool& pool) -> asio::awaitable<std::vector<std::int64_t>> {
            std::vector<std::int64_t> out;
            {
                auto db = co_await pool.acquire();
                out.push_back(db->backend_pid());
                // The server ends that connection's process, as a restart would.
                workbook::pg::Connection admin(co_await asio::this_coro::executor, url,
                                               "ch13-admin");
                co_await admin.connect();
                std::vector<Param> pid{static_cast<long long>(out[0])};
                co_await admin.query("SELECT pg_terminate_backend($1::int)", std::move(pid));
                bool failed = false;
                try {
                    co_await db->query("SELECT 1");
                } catch (const std::exception&) {
                    failed = true;
                }
                CHECK(failed);
            }
            auto fresh = co_await pool.acquire();
            try {
                const auto r = co_await fresh->query("SELECT pg_backend_pid() AS pid");
                out.push_back(std::get<std::int64_t>(r.at(0, "pid")));
            } catch (const workbook::TransportError&) {
                out.push_back(out[0]);  // the broken one, lent again
            }
            co_return out;
        });
    REQUIRE(pids.size() == 2);
    CHECK_MESSAGE(pids[1] != pids[0],
                  "the connection whose server process was ended was lent "
                  "again: give_back keeps only what is still connected()");
}

TEST_CASE("13.2 speakers come back in the order they were added") {
    const auto got = with_pool<std::vector<Speaker>>(
        2, unique_key("ch13-speakers"), [](Pool& pool) -> asio::awaitable<std::vector<Speaker>> {
            co_await chapter13::create_speakers_table(pool);
            const auto a = co_await chapter13::add_speaker(pool, "Ada Lovelace");
            const auto b = co_await chapter13::add_speaker(pool, "Grace Hopper");
            CHECK(b > a);
            co_return co_await chapter13::speakers(pool);
        });
    REQUIRE(got.size() == 2);
    CHECK(got[0].name == "Ada Lovelace");
    CHECK(got[1].name == "Grace Hopper");
    CHECK(got[0].id < got[1].id);
}

TEST_CASE("13.2 a name is stored verbatim whatever it holds") {
    const std::vector<std::string> names{"Robert'); DROP TABLE speakers;--", "Miles O'Brien",
                                         "back\\slash \"quotes\" $1 %s"};
    std::vector<Speaker> got;
    try {
        got = with_pool<std::vector<Speaker>>(
            2, unique_key("ch13-verbatim"),
            [&](Pool& pool) -> asio::awaitable<std::vector<Speaker>> {
                co_await chapter13::create_speakers_table(pool);
                for (const auto& name : names) co_await chapter13::add_speaker(pool, name);
                co_return co_await chapter13::speakers(pool);
            });
    } catch (const workbook::pg::Error& e) {
        FAIL("storing a name with a quote in it failed (" << std::string(e.what())
                                                          << "): the name was pasted into the SQL. "
                                                             "Send it as a parameter ($1)");
    }
    REQUIRE_MESSAGE(got.size() == names.size(), "the speakers table holds " << got.size()
                                                                            << " rows after adding "
                                                                            << names.size());
    for (std::size_t i = 0; i < names.size(); ++i) CHECK(got[i].name == names[i]);
}

TEST_CASE("13.2 the name reaches PostgreSQL as a parameter - never inside the SQL text") {
    // What is stored cannot tell a parameter from a name quoted by hand
    // ('O''Brien' stores O'Brien too), so this asks the server what it was
    // sent: pg_stat_activity keeps the last statement of every connection,
    // and the pool's one connection has just run the INSERT.
    const std::string name = "Miles O'Brien " + unique_key("marker");
    const std::string app = unique_key("ch13-param");
    const auto statement =
        with_pool<std::string>(1, app, [&](Pool& pool) -> asio::awaitable<std::string> {
            co_await chapter13::create_speakers_table(pool);
            co_await chapter13::add_speaker(pool, name);
            workbook::pg::Connection observer(co_await asio::this_coro::executor, database_url(),
                                              unique_key("ch13-observer"));
            co_await observer.connect();
            std::vector<Param> params{app};
            const auto r = co_await observer.query(
                "SELECT query FROM pg_stat_activity WHERE application_name = $1",
                std::move(params));
            if (r.rows.empty()) co_return std::string("(the pool's connection was not found)");
            co_return std::get<std::string>(r.rows[0][0]);
        });
    INFO("the last statement PostgreSQL received on the pool's connection: " << statement);
    CHECK_MESSAGE(statement.find("INSERT") != std::string::npos,
                  "the pool's connection did not run the INSERT last");
    CHECK_MESSAGE(statement.find("Brien") == std::string::npos,
                  "the name is inside the SQL text PostgreSQL received, quoted by hand: what is "
                  "stored may look right, but one quote handled wrong is an injection. Write $1 "
                  "in the SQL and pass the name in the parameters");
    CHECK_MESSAGE(statement.find("$1") != std::string::npos,
                  "the INSERT has no $1: send the name as a parameter");
}
