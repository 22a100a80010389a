// Chapter 14 exercise: three parts of the query builder (query.hpp): the
// UPDATE statement, AND and OR between two conditions, and IN a list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "query.hpp"

namespace chapter14 {

// The speakers table, described once: its name, its columns and their
// types, and the SQL that creates it. Every statement about speakers is
// built from this, so a column's name or type is written in one place.
struct SpeakersTable {
    static constexpr std::string_view table_name = "speakers";
    static constexpr std::string_view create_sql =
        "CREATE TABLE speakers (id serial PRIMARY KEY, name varchar(255) NOT NULL, "
        "talks integer NOT NULL DEFAULT 0)";

    qb::Column<std::int64_t> id{"id"};
    qb::Column<std::string> name{"name"};
    qb::Column<std::int64_t> talks{"talks"};
};
inline constexpr SpeakersTable speakers{};

// TODO(14.1), in exercise.cpp: qb::Update's where() and build().
//   update(speakers).set(speakers.name, "Grace").set(speakers.talks, 3)
//                   .where(speakers.id == 2).build()
// is {"UPDATE speakers SET name = $1, talks = $2 WHERE id = $3",
//     {"Grace", 3, 2}}: the SET values first, numbered in the order they
// were set, then the condition's, numbered on from there (qb::render does
// the numbering of a condition). build() refuses, with std::logic_error
// saying why, an UPDATE with nothing to set, and one without where(): an
// UPDATE without WHERE changes every row of the table, which is almost
// never meant (SQL for every row, written out, is where(id > 0) or such).

// TODO(14.2), in exercise.cpp: qb::combine(a, op, b), which && and || call
// with "AND" and "OR". (speakers.id == 1) || (speakers.name == "Ada") is
// the pieces {"(id = ", ") OR (name = ", ")"} and the parameters {1, "Ada"}:
// "(a) OR (b)", each side in parentheses, so that (a || b) && c keeps its
// meaning (SQL's AND binds tighter than its OR); a's parameters, then b's;
// and one piece more than parameters, as every Condition has, which takes
// joining a's last piece and b's first into one.

// TODO(14.3), in exercise.cpp: qb::in_list(column, values), which
// speakers.name.in({"Grace", "Barbara"}) calls with the values already
// checked and turned into parameters: the pieces {"name IN (", ", ", ")"}
// and the two parameters, so that the statement numbers them ($1, $2 in a
// SELECT, $2, $3 after a SET value). With no values, "name IN ()" is a
// syntax error to PostgreSQL; an empty list is a condition no row meets
// (SQLAlchemy 1.4 writes "name IN (NULL) AND (1 != 1)" for it; "FALSE"
// says the same).

}  // namespace chapter14
