// Chapter 14 specification: the query builder's UPDATE (14.1) and OR
// (14.2): the SQL they build, and what that SQL does when it runs on the
// real PostgreSQL the `services` fixture starts (each test on a TEMP table
// of its own, which hides any other speakers table). What must not compile
// is checked apart, by chapter14.types.N (tests/chapter14_types.cpp).
// Read it; do not edit it.
#include "support/doctest.hpp"

#include <asio/this_coro.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"

using namespace std::chrono_literals;
using chapter14::speakers;
using workbook::pg::Connection;
using workbook::testing::mentions;
using workbook::testing::run_loop;

namespace {

std::vector<std::string> texts(const std::vector<qb::Param>& params) {
    std::vector<std::string> out;
    for (const auto& p : params) out.push_back(p.text() ? *p.text() : "NULL");
    return out;
}

// Runs body(db) on a connection with a fresh TEMP speakers table holding
// Ada (0 talks), Grace (2) and Barbara (5).
template <class T>
T with_speakers(std::function<asio::awaitable<T>(Connection&)> body) {
    const auto url = workbook::testing::fixture_address("DATABASE_URL");
    return run_loop(
        [&]() -> asio::awaitable<T> {
            Connection db(co_await asio::this_coro::executor, url, "chapter14-tests");
            co_await db.connect();
            std::string create(chapter14::SpeakersTable::create_sql);
            create.replace(0, 12, "CREATE TEMP TABLE");
            co_await db.query(create);
            const std::vector<std::pair<std::string, int>> rows{
                {"Ada", 0}, {"Grace", 2}, {"Barbara", 5}};
            for (const auto& [name, talks] : rows) {
                auto insert = qb::insert(speakers)
                                  .value(speakers.name, name)
                                  .value(speakers.talks, talks)
                                  .build();
                co_await db.query(insert.sql, insert.params);
            }
            co_return co_await body(db);
        }(),
        20s, "a query waits for an answer that never comes");
}

// The speakers' names and talks, by id: "Ada 0, Grace 2, Barbara 5".
asio::awaitable<std::string> table_now(Connection& db) {
    const auto rows = qb::select(speakers).order_by(speakers.id).build();
    const auto r = co_await db.query(rows.sql, rows.params);
    std::string out;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        out += (i ? ", " : "") + workbook::pg::to_string(r.at(i, "name")) + " " +
               workbook::pg::to_string(r.at(i, "talks"));
    }
    co_return out;
}

}  // namespace

TEST_CASE("14.1 update builds SET then WHERE with the parameters numbered in that order") {
    const auto statement = qb::update(speakers)
                               .set(speakers.name, "Grace Hopper")
                               .set(speakers.talks, 3)
                               .where(speakers.id == 2)
                               .build();
    CHECK(statement.sql == "UPDATE speakers SET name = $1, talks = $2 WHERE id = $3");
    const std::vector<std::string> expected{"Grace Hopper", "3", "2"};
    CHECK_MESSAGE(texts(statement.params) == expected,
                  "the SET values first, in the order they were set, then the condition's");
}

TEST_CASE("14.1 the built UPDATE changes exactly the rows its condition picks") {
    const auto after =
        with_speakers<std::string>([](Connection& db) -> asio::awaitable<std::string> {
            const auto update = qb::update(speakers)
                                    .set(speakers.talks, 7)
                                    .where(speakers.name == "Grace" && speakers.talks > 1)
                                    .build();
            const auto r = co_await db.query(update.sql, update.params);
            CHECK(r.affected == 1);
            co_return co_await table_now(db);
        });
    CHECK(after == "Ada 0, Grace 7, Barbara 5");
}

TEST_CASE("14.1 a value set is stored verbatim - it travels as a parameter") {
    const std::string name = "x'); DROP TABLE speakers;--";
    const auto after =
        with_speakers<std::string>([&](Connection& db) -> asio::awaitable<std::string> {
            const auto update =
                qb::update(speakers).set(speakers.name, name).where(speakers.id == 1).build();
            CHECK_MESSAGE(!mentions(update.sql, "DROP"),
                          "the value was pasted into the SQL: " << update.sql);
            co_await db.query(update.sql, update.params);
            co_return co_await table_now(db);
        });
    CHECK(after == name + " 0, Grace 2, Barbara 5");
}

TEST_CASE("14.1 an UPDATE without where() or with nothing to set is refused") {
    std::string said;
    try {
        qb::update(speakers).set(speakers.talks, 0).build();
    } catch (const std::logic_error& e) {
        said = e.what();
    }
    CHECK_MESSAGE(mentions(said, "where"),
                  "build() without where() must throw std::logic_error saying so: an UPDATE "
                  "without WHERE changes every row");
    said.clear();
    try {
        qb::update(speakers).where(speakers.id == 1).build();
    } catch (const std::logic_error& e) {
        said = e.what();
    }
    CHECK_MESSAGE(mentions(said, "set"),
                  "build() with nothing set must throw std::logic_error saying so");
}

TEST_CASE("14.2 or keeps its meaning inside an and") {
    // Grace or Barbara, and more than 3 talks: Barbara alone. Without
    // parentheses, "name = $1 OR name = $2 AND talks > $3" would pick Grace
    // too, since AND binds tighter than OR.
    const auto picked = with_speakers<std::vector<std::string>>(
        [](Connection& db) -> asio::awaitable<std::vector<std::string>> {
            const auto query =
                qb::select(speakers)
                    .where((speakers.name == "Grace" || speakers.name == "Barbara") &&
                           speakers.talks > 3)
                    .order_by(speakers.id)
                    .build();
            const auto r = co_await db.query(query.sql, query.params);
            std::vector<std::string> names;
            for (std::size_t i = 0; i < r.rows.size(); ++i)
                names.push_back(workbook::pg::to_string(r.at(i, "name")));
            co_return names;
        });
    const std::vector<std::string> expected{"Barbara"};
    CHECK_MESSAGE(picked == expected,
                  "(name = Grace OR name = Barbara) AND talks > 3 picks Barbara "
                  "alone: put each side of OR in parentheses");
}

TEST_CASE("14.2 or numbers the parameters of both sides in order") {
    const auto query =
        qb::select(speakers).where(speakers.id == 1 || speakers.name == "Ada").build();
    CHECK(query.sql == "SELECT * FROM speakers WHERE (id = $1) OR (name = $2)");
    const std::vector<std::string> expected{"1", "Ada"};
    CHECK(texts(query.params) == expected);
}
