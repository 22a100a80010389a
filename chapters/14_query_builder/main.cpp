// Chapter 14: a query builder. The table is described once, in C++ types,
// and every statement about it is built from that description.
//
// The idea: SQL written by hand repeats the table's names in every
// statement, and nothing checks that a value fits its column until the
// server refuses it at run time. A table described once, with typed columns,
// lets the compiler check both: a misspelt column does not exist, and
// `speakers.talks == "three"` does not compile. The values still travel as
// parameters, never pasted into the SQL.
//
// Python (the talk):  speakers = sa.Table('speakers', metadata,
//                         sa.Column('id', sa.Integer, primary_key=True),
//                         sa.Column('name', sa.String(255)))
//                     await conn.execute(speakers.insert().values(name=speaker))
// C++ (here):         struct SpeakersTable { qb::Column<std::int64_t> id{"id"}; ... };
//                     auto insert = qb::insert(speakers).value(speakers.name, speaker).build();
//                     co_await db.query(insert.sql, insert.params);
//
// Run it: ./workbook run 14   (starts a private PostgreSQL, runs this, stops it)
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

using chapter14::speakers;

// The statement as a reader would check it: its SQL, then its parameters.
void show(const qb::Statement& statement) {
    std::cout << "  " << statement.sql << "   -- parameters:";
    for (const auto& p : statement.params) std::cout << " " << (p.text() ? *p.text() : "NULL");
    std::cout << "\n";
}

asio::awaitable<void> demo(std::string url) {
    workbook::pg::Connection db(co_await asio::this_coro::executor, url, "chapter14");
    co_await db.connect();
    co_await db.query("DROP TABLE IF EXISTS speakers");
    co_await db.query(std::string(chapter14::SpeakersTable::create_sql));

    workbook::step("query_builder");
    // [slide:query_builder]
    const std::vector<std::pair<std::string, int>> names{
        {"Ada Lovelace", 1}, {"Grace Hopper", 4}, {"Barbara Liskov", 3}};
    for (const auto& [name, talks] : names) {
        const auto insert =
            qb::insert(speakers).value(speakers.name, name).value(speakers.talks, talks).build();
        co_await db.query(insert.sql, insert.params);
    }
    const auto update =
        qb::update(speakers).set(speakers.talks, 5).where(speakers.name == "Ada Lovelace").build();
    co_await db.query(update.sql, update.params);
    const auto select =
        qb::select(speakers).where(speakers.talks > 3).order_by(speakers.id).build();
    const auto rows = co_await db.query(select.sql, select.params);
    // [/slide]

    std::cout << "The statements, as built:\n";
    show(
        qb::insert(speakers).value(speakers.name, "Ada Lovelace").value(speakers.talks, 1).build());
    show(update);
    show(select);
    std::cout << "Speakers with more than 3 talks:\n";
    for (std::size_t i = 0; i < rows.rows.size(); ++i) {
        std::cout << "  {id: " << workbook::pg::to_string(rows.at(i, "id")) << ", name: \""
                  << workbook::pg::to_string(rows.at(i, "name"))
                  << "\", talks: " << workbook::pg::to_string(rows.at(i, "talks")) << "}\n";
    }
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        const auto url = workbook::service_address("DATABASE_URL");
        std::cout << "PostgreSQL at " << url << ", statements built from one table description\n";
        workbook::Stopwatch stopwatch;
        asio::io_context loop(1);
        asio::co_spawn(loop, demo(url), [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);
        });
        loop.run();
        std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
        return 0;
    });
}
