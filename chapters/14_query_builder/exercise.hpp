// Chapter 14 exercise: the UPDATE statement of the query builder (query.hpp),
// and OR between two conditions.
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

// TODO(14.2), in exercise.cpp: qb::operator||(a, b), "a OR b", each side in
// parentheses as operator&& does, so that (a || b) && c keeps its meaning:
// SQL's AND binds tighter than its OR.

}  // namespace chapter14
