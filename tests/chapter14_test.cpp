// Chapter 14 specification: the query builder's UPDATE (14.1), AND and OR
// (14.2) and IN (14.3): the SQL they build, and what that SQL does when it
// runs on the real PostgreSQL the `services` fixture starts (each test on a
// TEMP table of its own, which hides any other speakers table). Each
// TODO's tests use only the given builder and that TODO's own code, so
// they go green one TODO at a time. What must not compile is checked
// apart, by chapter14.types.N (tests/chapter14_types.cpp).
// Read it; do not edit it.
#include "support/doctest.hpp"

#include <algorithm>
#include <asio/this_coro.hpp>
#include <cctype>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercise.hpp"
#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "workbook/todo.hpp"

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

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Every Condition has one piece more than parameters: render() reads a
// parameter between each two pieces, so a condition that breaks the rule
// would lose SQL or read past its pieces. Checked before anything renders it.
bool well_formed(const qb::Condition& c, const std::string& what) {
    const bool ok = !c.pieces.empty() && c.pieces.size() == c.params.size() + 1;
    CHECK_MESSAGE(ok, what << " has " << c.pieces.size() << " pieces for " << c.params.size()
                           << " parameters: a Condition has exactly one piece more than "
                              "parameters (one parameter between each two pieces)");
    return ok;
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

// The names a SELECT picks, by id, or "PostgreSQL refused ...: why".
asio::awaitable<std::string> names_picked(Connection& db, const qb::Statement& query) {
    try {
        const auto r = co_await db.query(query.sql, query.params);
        std::string names;
        for (std::size_t i = 0; i < r.rows.size(); ++i)
            names += (i ? " " : "") + workbook::pg::to_string(r.at(i, "name"));
        co_return names.empty() ? "no row" : names;
    } catch (const workbook::pg::Error& e) {
        co_return "PostgreSQL refused " + query.sql + ": " + e.what();
    }
}

// Runs an UPDATE: "" when it ran, else "PostgreSQL refused SQL: why".
asio::awaitable<std::string> run_update(Connection& db, const qb::Statement& update) {
    try {
        co_await db.query(update.sql, update.params);
        co_return "";
    } catch (const workbook::pg::Error& e) {
        co_return "PostgreSQL refused " + update.sql + ": " + e.what();
    }
}

// The likeliest cause, for what an UPDATE test found instead of its table.
std::string what_went_wrong(const std::string& after) {
    if (mentions(after, "bind message supplies")) {
        return "PostgreSQL counted more parameters than placeholders: two placeholders have "
               "the same number. The condition's go on from the SET's ($1, $2 for SET, $3 ...)";
    }
    if (mentions(after, "invalid input syntax")) {
        return "a placeholder got a value of another column's type: are the parameters in the "
               "order of their placeholders, the SET values first, then the condition's?";
    }
    if (mentions(after, "PostgreSQL refused")) return "the UPDATE built is no valid SQL (above)";
    if (mentions(after, "Grace 2, Barbara 5")) {
        return "the UPDATE changed no row: are its parameters in the order of their "
               "placeholders, the SET values first, then the condition's?";
    }
    return "the UPDATE changed other rows than its condition picks";
}

// What build() threw, lower-cased, or "" when it threw nothing. The stub's
// "not done yet" goes on up, to be reported as it is.
std::string refusal(const qb::Update& update) {
    try {
        update.build();
    } catch (const workbook::NotDoneYet&) {
        throw;
    } catch (const std::logic_error& e) {
        return lower(e.what());
    } catch (const std::exception& e) {
        FAIL_CHECK("build() threw \"" << e.what()
                                      << "\", but not as a std::logic_error: a statement built "
                                         "wrong is a mistake in the program, a logic_error");
        return lower(e.what());
    }
    return "";
}

}  // namespace

TEST_CASE("14.1 update builds SET then WHERE with the parameters numbered in that order") {
    qb::Statement statement;
    try {
        statement = qb::update(speakers)
                        .set(speakers.name, "Grace Hopper")
                        .set(speakers.talks, 3)
                        .where(speakers.id == 2)
                        .build();
    } catch (const workbook::NotDoneYet&) {
        throw;
    } catch (const std::logic_error& e) {
        FAIL("build() refused an UPDATE with two values set and a where(): "
             << std::string(e.what()) << ". Does where() keep its condition in where_?");
    }
    CHECK_MESSAGE(!mentions(statement.sql, "WHERE id = $1"),
                  "the condition was numbered from $1 again: its placeholders go on from the "
                  "SET's (one counter for the whole statement, handed to render)");
    CHECK_MESSAGE((!mentions(statement.sql, ", WHERE") && !mentions(statement.sql, ",  WHERE")),
                  "a \", \" after the last SET item: one between each two, none after the last");
    CHECK(statement.sql == "UPDATE speakers SET name = $1, talks = $2 WHERE id = $3");
    const std::vector<std::string> expected{"Grace Hopper", "3", "2"};
    CHECK_MESSAGE(texts(statement.params) == expected,
                  "the SET values first, in the order they were set, then the condition's");
}

TEST_CASE("14.1 the built UPDATE changes exactly the rows its condition picks") {
    const auto after =
        with_speakers<std::string>([](Connection& db) -> asio::awaitable<std::string> {
            const auto update =
                qb::update(speakers).set(speakers.talks, 7).where(speakers.talks > 1).build();
            const auto refused = co_await run_update(db, update);
            if (!refused.empty()) co_return refused;
            co_return co_await table_now(db);
        });
    CHECK_MESSAGE(after == "Ada 0, Grace 7, Barbara 7", what_went_wrong(after));
}

TEST_CASE("14.1 a value set is stored verbatim - it travels as a parameter") {
    const std::string name = "x'); DROP TABLE speakers;--";
    const auto after =
        with_speakers<std::string>([&](Connection& db) -> asio::awaitable<std::string> {
            const auto update =
                qb::update(speakers).set(speakers.name, name).where(speakers.id == 1).build();
            CHECK_MESSAGE(!mentions(update.sql, "DROP"),
                          "the value was pasted into the SQL: " << update.sql);
            const auto refused = co_await run_update(db, update);
            if (!refused.empty()) co_return refused;
            co_return co_await table_now(db);
        });
    CHECK_MESSAGE(after == name + " 0, Grace 2, Barbara 5", what_went_wrong(after));
}

TEST_CASE("14.1 an UPDATE without where() or with nothing to set is refused") {
    const auto no_where = refusal(qb::update(speakers).set(speakers.talks, 0));
    CHECK_MESSAGE(mentions(no_where, "where"),
                  "build() without where() must throw std::logic_error saying so (\"where\" in "
                  "its message): an UPDATE without WHERE changes every row");
    const auto nothing_set = refusal(qb::update(speakers).where(speakers.id == 1));
    CHECK_MESSAGE(mentions(nothing_set, "set"),
                  "build() with nothing set must throw std::logic_error saying so (\"set\" in its "
                  "message): UPDATE speakers SET WHERE ... is no SQL");
}

TEST_CASE("14.2 or puts each side in parentheses and numbers both sides in order") {
    const auto either = speakers.id == 1 || speakers.name == "Ada";
    if (!well_formed(either, "(id = $1) OR (name = $2)")) return;
    const auto query = qb::select(speakers).where(either).build();
    CHECK_MESSAGE(mentions(query.sql, "(id = $1)"),
                  "each side in its own parentheses: (a) OR (b), so that it keeps its meaning "
                  "inside an AND");
    CHECK(query.sql == "SELECT * FROM speakers WHERE (id = $1) OR (name = $2)");
    const std::vector<std::string> expected{"1", "Ada"};
    CHECK_MESSAGE(texts(query.params) == expected, "a's parameters first, then b's");
}

TEST_CASE("14.2 and joins with AND as or joins with OR") {
    const auto both = speakers.talks > 1 && speakers.talks < 5;
    if (!well_formed(both, "(talks > $1) AND (talks < $2)")) return;
    const auto query = qb::select(speakers).where(both).build();
    CHECK_MESSAGE(!mentions(query.sql, "OR"),
                  "&& gave an OR: combine() must write the `op` it is given (\"AND\", \"OR\")");
    CHECK(query.sql == "SELECT * FROM speakers WHERE (talks > $1) AND (talks < $2)");
    const std::vector<std::string> expected{"1", "5"};
    CHECK(texts(query.params) == expected);
}

TEST_CASE("14.2 a side without parameters joins as well") {
    // IS NULL has one piece and no parameter: a's first piece is its last.
    const auto either = speakers.name.is_null() || speakers.id == 1;
    if (!well_formed(either, "(name IS NULL) OR (id = $1)")) return;
    const auto query = qb::select(speakers).where(either).build();
    CHECK(query.sql == "SELECT * FROM speakers WHERE (name IS NULL) OR (id = $1)");
}

TEST_CASE("14.2 or keeps its meaning inside an and") {
    // Grace or Barbara, and more than 3 talks: Barbara alone. Without
    // parentheses, "name = $1 OR name = $2 AND talks > $3" would pick Grace
    // too, since AND binds tighter than OR.
    const auto condition =
        (speakers.name == "Grace" || speakers.name == "Barbara") && speakers.talks > 3;
    if (!well_formed(condition, "((name = $1) OR (name = $2)) AND (talks > $3)")) return;
    const auto picked =
        with_speakers<std::string>([&](Connection& db) -> asio::awaitable<std::string> {
            co_return co_await names_picked(
                db, qb::select(speakers).where(condition).order_by(speakers.id).build());
        });
    CHECK_MESSAGE(picked == "Barbara",
                  (mentions(picked, "PostgreSQL refused")
                       ? std::string("the condition built is no valid SQL, or its parameters "
                                     "are not in the order of its placeholders (a's, then b's)")
                       : std::string("(name = Grace OR name = Barbara) AND talks > 3 picks "
                                     "Barbara alone: put each side of OR in parentheses")));
}

TEST_CASE("14.3 in lists one parameter per value") {
    const auto listed = speakers.name.in({"Grace", "Barbara"});
    if (!well_formed(listed, "name IN ($1, $2)")) {
        MESSAGE(
            "leave the numbers to the statement: the pieces are \"name IN (\", \", \" "
            "and \")\", with a value between each two");
        return;
    }
    const auto query = qb::select(speakers).where(listed).build();
    CHECK_MESSAGE(!mentions(query.sql, "Grace"),
                  "the value was pasted into the SQL: " << query.sql);
    CHECK_MESSAGE(!mentions(query.sql, ", )"),
                  "a \", \" after the last value: one between each two, none after the last");
    CHECK(query.sql == "SELECT * FROM speakers WHERE name IN ($1, $2)");
    const std::vector<std::string> expected{"Grace", "Barbara"};
    CHECK(texts(query.params) == expected);
}

TEST_CASE("14.3 in numbers its values from wherever the statement has got to") {
    // Placed after two parameters (two SET values, say), the list is $3, $4;
    // and one value is a list too.
    const auto listed = speakers.talks.in({2, 5});
    if (!well_formed(listed, "talks IN ($3, $4)")) return;
    std::size_t next = 3;
    std::vector<qb::Param> params;
    CHECK(qb::render(listed, next, params) == "talks IN ($3, $4)");
    CHECK(next == 5);
    const auto one = speakers.talks.in({2});
    if (!well_formed(one, "talks IN ($1)")) return;
    CHECK(qb::select(speakers).where(one).build().sql ==
          "SELECT * FROM speakers WHERE talks IN ($1)");
}

TEST_CASE("14.3 in picks exactly the rows listed") {
    const std::vector<std::string> names{"Grace", "Barbara", "Nobody"};
    const auto name_in = speakers.name.in(names);
    if (!well_formed(name_in, "name IN ($1, $2, $3)")) return;
    const std::vector<int> talks{0, 5};
    const auto talks_in = speakers.talks.in(talks);
    if (!well_formed(talks_in, "talks IN ($1, $2)")) return;
    const auto by_name = qb::select(speakers).where(name_in).order_by(speakers.id);
    const auto by_talks = qb::select(speakers).where(talks_in).order_by(speakers.id);
    const auto picked =
        with_speakers<std::string>([&](Connection& db) -> asio::awaitable<std::string> {
            co_return co_await names_picked(db, by_name.build()) + " / " +
                co_await names_picked(db, by_talks.build());
        });
    CHECK(picked == "Grace Barbara / Ada Barbara");
}

TEST_CASE("14.3 an empty list picks no row") {
    qb::Condition empty;
    try {
        empty = speakers.name.in(std::vector<std::string>{});
    } catch (const workbook::NotDoneYet&) {
        throw;
    } catch (const std::exception& e) {
        FAIL("in() with an empty list threw \"" << std::string(e.what())
                                                << "\": an empty list is no mistake (a filter "
                                                   "that matched nothing, say), it picks no row");
    }
    if (empty.pieces.size() == 2 && empty.params.empty()) {
        FAIL(
            "with no values, \"name IN (\" and \")\" are two pieces for no parameter (render "
            "keeps the first alone), and \"name IN ()\" is a syntax error to PostgreSQL "
            "anyway: write a condition no row meets, such as FALSE");
    }
    if (!well_formed(empty, "an empty list")) return;
    const auto query = qb::select(speakers).where(empty).build();
    const auto picked =
        with_speakers<std::string>([&](Connection& db) -> asio::awaitable<std::string> {
            co_return co_await names_picked(db, query);
        });
    CHECK_MESSAGE(!mentions(query.sql, "()"),
                  "\"name IN ()\" is a syntax error to PostgreSQL: with no values, write a "
                  "condition no row meets (FALSE)");
    CHECK_MESSAGE(picked == "no row",
                  "x IN (an empty list) is false for every x: the SELECT must pick no row");
}
