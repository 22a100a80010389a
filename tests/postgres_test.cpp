// The PostgreSQL client (shared/stores/include/workbook/postgres.hpp): libpq non-blocking
// on the event loop, against the real PostgreSQL the services fixture
// starts (or DATABASE_URL's).
#include "support/doctest.hpp"

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "workbook/postgres.hpp"
#include "workbook/task_group.hpp"
#include "workbook/timeout.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using workbook::pg::Connection;
using workbook::pg::Param;
using workbook::pg::Result;
using workbook::pg::Value;
using workbook::testing::mentions;
using workbook::testing::run_loop;
using workbook::testing::unique_key;

namespace {

template <class T>
T with_postgres(std::function<asio::awaitable<T>(Connection&)> body,
                const std::string& application_name = "workbook-tests") {
    const auto url = workbook::testing::fixture_address("DATABASE_URL");
    return run_loop(
        [&]() -> asio::awaitable<T> {
            Connection db(co_await asio::this_coro::executor, url, application_name);
            co_await db.connect();
            co_return co_await body(db);
        }(),
        20s, "a query waits for an answer that never comes");
}

std::string text(const Value& v) {
    return workbook::pg::to_string(v);
}

}  // namespace

TEST_CASE("postgres: rows come back as typed values") {
    const auto r = with_postgres<Result>([](Connection& db) {
        return db.query(
            "SELECT 42::int4 AS small, 12345678901::int8 AS big, 2.5::float8 AS real, true AS yes, "
            "NULL::text AS nothing, 'héllo' AS words, 1.10::numeric AS exact");
    });
    REQUIRE(r.rows.size() == 1);
    CHECK(std::get<std::int64_t>(r.at(0, "small")) == 42);
    CHECK(std::get<std::int64_t>(r.at(0, "big")) == 12345678901);
    CHECK(std::get<double>(r.at(0, "real")) == 2.5);
    CHECK(std::get<bool>(r.at(0, "yes")));
    CHECK(std::holds_alternative<std::monostate>(r.at(0, "nothing")));
    CHECK(std::get<std::string>(r.at(0, "words")) == "héllo");
    CHECK(std::get<std::string>(r.at(0, "exact")) == "1.10");  // numeric keeps its digits as text
    CHECK(r.command == "SELECT 1");
    CHECK_THROWS_AS(r.at(0, "missing"), std::out_of_range);
}

TEST_CASE("postgres: parameters travel apart from the SQL - any text comes back verbatim") {
    const std::vector<std::string> values{"Robert'); DROP TABLE students;--",
                                          "it's \"quoted\" \\ backslashed",
                                          "$1 $2 -- not parameters", "", "línea\nnueva\ttab"};
    const auto back = with_postgres<std::vector<std::string>>(
        [&](Connection& db) -> asio::awaitable<std::vector<std::string>> {
            std::vector<std::string> out;
            co_await db.query("CREATE TEMP TABLE names (id serial, name text)");
            for (const auto& v : values) {
                std::vector<Param> params{v};
                co_await db.query("INSERT INTO names (name) VALUES ($1)", std::move(params));
            }
            std::vector<Param> none{nullptr};
            co_await db.query("INSERT INTO names (name) VALUES ($1)", std::move(none));
            const auto rows = co_await db.query("SELECT name FROM names ORDER BY id");
            for (const auto& row : rows.rows) out.push_back(text(row[0]));
            co_return out;
        });
    auto expected = values;
    expected.push_back("NULL");  // NULL is not the empty string
    CHECK(back == expected);
}

TEST_CASE("postgres: an error carries its SQLSTATE and the server's words") {
    with_postgres<int>([](Connection& db) -> asio::awaitable<int> {
        std::string state, said;
        try {
            co_await db.query("SELECT * FROM no_such_table");
        } catch (const workbook::pg::Error& e) {
            state = e.sqlstate();
            said = e.what();
        }
        CHECK(state == "42P01");
        CHECK(mentions(said, "no_such_table"));
        std::vector<Param> params{"x"};
        try {
            co_await db.query("SELECT $1::int", std::move(params));
        } catch (const workbook::pg::Error& e) {
            state = e.sqlstate();
        }
        CHECK(state == "22P02");  // invalid_text_representation: "x" is no integer
        CHECK(std::get<std::int64_t>((co_await db.query("SELECT 1")).rows[0][0]) == 1);
        co_return 0;
    });
}

TEST_CASE("postgres: a statement prepared once still runs after its table changed") {
    // The client prepares a SELECT the first time it sees it; the ALTER
    // makes the server's cached plan return other columns.
    const auto columns =
        with_postgres<std::size_t>([](Connection& db) -> asio::awaitable<std::size_t> {
            co_await db.query("CREATE TEMP TABLE c (a int)");
            co_await db.query("INSERT INTO c VALUES (1)");
            for (int i = 0; i < 3; ++i) co_await db.query("SELECT * FROM c");
            co_await db.query("ALTER TABLE c ADD COLUMN b int DEFAULT 2");
            const auto after = co_await db.query("SELECT * FROM c");
            CHECK(std::get<std::int64_t>(after.at(0, "b")) == 2);
            co_return after.columns.size();
        });
    CHECK(columns == 2);
}

TEST_CASE(
    "postgres: inside a transaction the error of a changed table is reported as it is and not retried") {
    // In a transaction the failed statement has aborted it: a retry would
    // fail with 25P02 ("current transaction is aborted") and hide the real
    // error. The client reports 0A000 and, after ROLLBACK, prepares afresh.
    const auto state =
        with_postgres<std::string>([](Connection& db) -> asio::awaitable<std::string> {
            co_await db.query("CREATE TEMP TABLE d (a int)");
            co_await db.query("INSERT INTO d VALUES (1)");
            co_await db.query("BEGIN");
            for (int i = 0; i < 3; ++i) co_await db.query("SELECT * FROM d");
            co_await db.query("ALTER TABLE d ADD COLUMN b int DEFAULT 2");
            std::string seen = "(no error)";
            try {
                co_await db.query("SELECT * FROM d");
            } catch (const workbook::pg::Error& e) {
                seen = e.sqlstate();
            }
            co_await db.query("ROLLBACK");
            const auto after = co_await db.query("SELECT * FROM d");
            CHECK_MESSAGE(after.columns.size() == 1, "the ALTER was rolled back: one column again");
            co_return seen;
        });
    CHECK_MESSAGE(state == "0A000",
                  "the error inside BEGIN should be 0A000 (cached plan must not change result "
                  "type), reported as it is; got "
                      << state);
}

TEST_CASE("postgres: a transaction rolled back leaves nothing behind") {
    const auto count =
        with_postgres<std::int64_t>([](Connection& db) -> asio::awaitable<std::int64_t> {
            co_await db.query("CREATE TEMP TABLE t (n int)");
            co_await db.query("BEGIN");
            co_await db.query("INSERT INTO t VALUES (1), (2)");
            co_await db.query("ROLLBACK");
            co_await db.query("BEGIN");
            const auto inserted = co_await db.query("INSERT INTO t VALUES (3)");
            CHECK(inserted.affected == 1);
            co_await db.query("COMMIT");
            co_return std::get<std::int64_t>(
                (co_await db.query("SELECT count(*) FROM t")).rows[0][0]);
        });
    CHECK(count == 1);
}

TEST_CASE("postgres: a pipeline returns each statement's result in order") {
    const auto results = with_postgres<std::vector<Result>>([](Connection& db) {
        std::vector<workbook::pg::Statement> batch{{"SELECT $1::int + 1 AS n", {41}},
                                                   {"SELECT upper($1) AS s", {"pipelined"}},
                                                   {"SELECT pg_backend_pid() AS pid", {}}};
        return db.pipeline(std::move(batch));
    });
    REQUIRE(results.size() == 3);
    CHECK(std::get<std::int64_t>(results[0].at(0, "n")) == 42);
    CHECK(std::get<std::string>(results[1].at(0, "s")) == "PIPELINED");
    CHECK(std::get<std::int64_t>(results[2].at(0, "pid")) > 0);
}

TEST_CASE("postgres: a failing statement in a pipeline is thrown and skips the rest") {
    with_postgres<int>([](Connection& db) -> asio::awaitable<int> {
        co_await db.query("CREATE TEMP TABLE p (n int)");
        std::vector<workbook::pg::Statement> batch{
            {"INSERT INTO p VALUES (1)", {}}, {"SELECT 1/0", {}}, {"INSERT INTO p VALUES (2)", {}}};
        std::string state;
        try {
            co_await db.pipeline(std::move(batch));
        } catch (const workbook::pg::Error& e) {
            state = e.sqlstate();
        }
        CHECK(state == "22012");  // division_by_zero
        // The batch is one implicit transaction: the failure undid the first
        // INSERT, and the third never ran.
        const auto rows = co_await db.query("SELECT count(*) FROM p");
        CHECK(std::get<std::int64_t>(rows.rows[0][0]) == 0);
        co_return 0;
    });
}

TEST_CASE("postgres: pg_stat_activity shows the connection's application_name") {
    const auto name = unique_key("workbook-app");
    const auto r = with_postgres<Result>(
        [&](Connection& db) -> asio::awaitable<Result> {
            auto result = co_await db.query(
                "SELECT application_name, pid FROM pg_stat_activity WHERE pid = pg_backend_pid()");
            CHECK(std::get<std::int64_t>(result.at(0, "pid")) == db.backend_pid());
            co_return result;
        },
        name);
    REQUIRE(r.rows.size() == 1);
    CHECK(std::get<std::string>(r.at(0, "application_name")) == name);
}

TEST_CASE("postgres: queries issued together on one connection take turns") {
    const auto got = with_postgres<std::vector<std::int64_t>>([](Connection& db) {
        std::vector<std::function<asio::awaitable<std::int64_t>()>> tasks;
        for (int i = 0; i < 10; ++i) {
            tasks.push_back([&db, i]() -> asio::awaitable<std::int64_t> {
                std::vector<Param> params{i};
                const auto r = co_await db.query("SELECT $1::int * 10", std::move(params));
                co_return std::get<std::int64_t>(r.rows[0][0]);
            });
        }
        return workbook::task_group(std::move(tasks));
    });
    const std::vector<std::int64_t> expected{0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    CHECK(got == expected);
}

TEST_CASE("postgres: a query cancelled by a timeout ends at once - and on the server too") {
    const auto name = unique_key("workbook-cancel");
    const auto url = workbook::testing::fixture_address("DATABASE_URL");
    run_loop(
        [&]() -> asio::awaitable<int> {
            const auto executor = co_await asio::this_coro::executor;
            Connection db(executor, url, name);
            co_await db.connect();
            bool timed_out = false;
            try {
                co_await workbook::with_timeout(db.query("SELECT pg_sleep(30)"), 200ms);
            } catch (const workbook::TimeoutError&) {
                timed_out = true;
            }
            CHECK(timed_out);
            CHECK_FALSE(db.connected());
            // The server notices the closed connection and ends its backend.
            Connection observer(executor, url, "workbook-observer");
            co_await observer.connect();
            std::int64_t left = 1;
            for (int i = 0; i < 50 && left > 0; ++i) {
                std::vector<Param> params{name};
                const auto r = co_await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    std::move(params));
                left = std::get<std::int64_t>(r.rows[0][0]);
                asio::steady_timer pause(executor, 100ms);
                if (left > 0) co_await pause.async_wait(asio::use_awaitable);
            }
            CHECK_MESSAGE(left == 0, "the cancelled query's backend is still there after 5 s");
            co_return 0;
        }(),
        20s, "a cancelled query was waited for to the end");
}

TEST_CASE("postgres: a server that is not there is a TransportError naming it") {
    workbook::testing::check_nobody_listens(
        []() -> asio::awaitable<int> {
            // Port 1 on loopback: nothing listens there.
            Connection db(co_await asio::this_coro::executor,
                          "postgresql://nobody@127.0.0.1:1/postgres", "workbook-tests");
            co_await db.connect();
            co_return 0;
        },
        "PostgreSQL at 127.0.0.1:1");
}
