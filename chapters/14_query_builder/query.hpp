// Chapter 14's query builder: a table described once, with typed columns,
// and statements built from it, whose values always travel as parameters.
// Given, except three functions that are the exercise (exercise.cpp):
// combine() under AND and OR, in_list() under Column::in, and Update's
// where() and build(). The talk's slide did this with SQLAlchemy:
//
//     speakers = sa.Table('speakers', metadata,
//                         sa.Column('id', sa.Integer, primary_key=True),
//                         sa.Column('name', sa.String(255)))
//     await conn.execute(speakers.insert().values(name=speaker))
//     async for row in conn.execute(speakers.select()): ...
//
// What C++ adds: a column knows its type, and a value the column cannot
// hold exactly does not compile. `speakers.talks == "three"`, and
// `speakers.talks == '3'` too, are errors from the compiler, naming the
// `accepts` concept below, not a failure (or a 51) at run time.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "workbook/postgres.hpp"

namespace qb {

using workbook::pg::Param;

// A statement ready for workbook::pg::Connection::query: SQL with $1, $2 ...
// and the values for them, in that order.
struct Statement {
    std::string sql;
    std::vector<Param> params;
};

// Which C++ values a column of type T accepts. The rule is one sentence:
// a value is accepted when every value of its C++ type is the same value in
// the column, so nothing is ever narrowed, rounded or reinterpreted on the
// way. Hence:
//   - an integer column (std::int64_t) takes the integer types whose every
//     value fits in 64 signed bits: int, long, std::int8_t ... and unsigned
//     types up to 32 bits; not std::uint64_t or std::size_t, whose values
//     above INT64_MAX would arrive as other numbers (cast them yourself,
//     where you know they fit);
//   - a double column takes float, double and the integers a double holds
//     exactly (up to 32 bits); not std::int64_t, which it would round;
//   - no number column takes a bool or a character (char, char8_t,
//     wchar_t ...): both are integer types to C++, and '3' would be stored
//     as 51. std::int8_t and std::uint8_t (signed char and unsigned char)
//     are numbers and count as such;
//   - a text column takes what converts to std::string_view, but not
//     nullptr (a null pointer is no text: is_null() asks for NULL);
//   - a bool column takes bool alone.
// A value outside the rule does not compile, and the compiler's message
// names `accepts`. tests/chapter14_types.cpp holds a line for each case.
template <class V>
concept character = std::same_as<V, char> || std::same_as<V, wchar_t> || std::same_as<V, char8_t> ||
    std::same_as<V, char16_t> || std::same_as<V, char32_t>;
template <class V>
concept number = std::is_arithmetic_v<V> && !std::same_as<V, bool> && !character<V>;
// numeric_limits<X>::digits counts the bits of X's value without its sign
// (63 for std::int64_t, 32 for std::uint32_t, 53 for double's mantissa), so
// one comparison says whether every value of V has a place in T. An
// integer column never takes a floating-point value, whatever its size.
template <class V, class T>
concept every_value_fits = number<V> && number<T> &&
                           (std::is_floating_point_v<T> ||
                            std::is_integral_v<V>)&&std::numeric_limits<V>::digits
                           <= std::numeric_limits<T>::digits;

template <class T, class V>
concept accepts = ((std::same_as<T, std::int64_t> ||
                    std::same_as<T, double>)&&every_value_fits<std::remove_cvref_t<V>, T>) ||
                  (std::same_as<T, std::string> && std::convertible_to<V, std::string_view> &&
                   !std::same_as<std::remove_cvref_t<V>, std::nullptr_t>) ||
                  (std::same_as<T, bool> && std::same_as<std::remove_cvref_t<V>, bool>);

// The parameter for a value a column of type T accepts.
template <class T, class V>
requires accepts<T, V> Param to_param(V&& value) {
    if constexpr (std::same_as<T, std::int64_t>) {
        return Param(static_cast<long long>(value));
    } else if constexpr (std::same_as<T, std::string>) {
        return Param(std::string(std::string_view(value)));
    } else if constexpr (std::same_as<T, double>) {
        return Param(static_cast<double>(value));
    } else {
        return Param(static_cast<bool>(value));
    }
}

// A WHERE condition: SQL pieces with a parameter between each two, so that
// pieces.size() == params.size() + 1. "talks > $?" is {"talks > ", ""} and
// one parameter; the statement numbers the parameters when it is built,
// wherever the condition lands in it.
struct Condition {
    std::vector<std::string> pieces{""};
    std::vector<Param> params;
};

// The condition's SQL with its parameters numbered from `next` ($next,
// $next+1 ...); `next` is left past the last one, and the parameters are
// appended to `params`.
inline std::string render(const Condition& condition, std::size_t& next,
                          std::vector<Param>& params) {
    std::string sql = condition.pieces.front();
    for (std::size_t i = 0; i < condition.params.size(); ++i) {
        sql += "$" + std::to_string(next++) + condition.pieces[i + 1];
        params.push_back(condition.params[i]);
    }
    return sql;
}

// Two conditions joined by `op` ("AND", "OR"): "(a) op (b)", each side in
// parentheses, since a side may itself be an OR and SQL, like C++, binds
// AND tighter than OR. The pieces and parameters of `a`, then of `b`, with
// the invariant kept: one piece more than parameters. TODO(14.2), in
// exercise.cpp.
Condition combine(Condition a, std::string_view op, Condition b);

inline Condition operator&&(Condition a, Condition b) {
    return combine(std::move(a), "AND", std::move(b));
}
inline Condition operator||(Condition a, Condition b) {
    return combine(std::move(a), "OR", std::move(b));
}

// "column IN (v1, v2 ...)", one parameter per value, numbered by the
// statement like any other; with no values, a condition no row meets.
// TODO(14.3), in exercise.cpp. Column<T>::in() below checks each value's
// type and calls it.
Condition in_list(std::string_view column, std::vector<Param> values);

// A column of a table, of SQL type T: std::int64_t (integer, serial),
// std::string (text, varchar), double, bool.
template <class T>
struct Column {
    using type = T;
    std::string_view name;

    // The comparisons, each a Condition with one parameter.
    template <class V>
    requires accepts<T, V> Condition operator==(V&& value) const {
        return compare(" = ", std::forward<V>(value));
    }
    template <class V>
    requires accepts<T, V> Condition operator!=(V&& value) const {
        return compare(" <> ", std::forward<V>(value));
    }
    template <class V>
    requires accepts<T, V> Condition operator<(V&& value) const {
        return compare(" < ", std::forward<V>(value));
    }
    template <class V>
    requires accepts<T, V> Condition operator>(V&& value) const {
        return compare(" > ", std::forward<V>(value));
    }
    Condition is_null() const { return {{std::string(name) + " IS NULL"}, {}}; }

    // One of a list: speakers.name.in({"Grace", "Barbara"}), or any range
    // of values (a std::vector<std::string> ...). Every value is checked
    // against the column's type as == checks one.
    template <class V>
    requires accepts<T, const V&> Condition in(std::initializer_list<V> values)
    const { return in_range(values); }
    template <std::ranges::input_range R>
    requires accepts<T, std::ranges::range_reference_t<const R&>> Condition in(const R& values)
    const { return in_range(values); }

  private:
    template <class R>
    Condition in_range(const R& values) const {
        std::vector<Param> params;
        for (const auto& value : values) params.push_back(to_param<T>(value));
        return in_list(name, std::move(params));
    }
    template <class V>
    Condition compare(const char* op, V&& value) const {
        return {{std::string(name) + op, ""}, {to_param<T>(std::forward<V>(value))}};
    }
};

// INSERT INTO table (c1, c2) VALUES ($1, $2) [RETURNING c]
class Insert {
  public:
    explicit Insert(std::string_view table) : table_(table) {}

    template <class T, class V>
    requires accepts<T, V> Insert& value(const Column<T>& column, V&& value) {
        columns_.emplace_back(column.name);
        params_.push_back(to_param<T>(std::forward<V>(value)));
        return *this;
    }
    template <class T>
    Insert& returning(const Column<T>& column) {
        returning_ = std::string(column.name);
        return *this;
    }

    Statement build() const {
        std::string names, marks;
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            names += (i ? ", " : "") + columns_[i];
            marks += (i ? ", $" : "$") + std::to_string(i + 1);
        }
        std::string sql = "INSERT INTO " + table_ + " (" + names + ") VALUES (" + marks + ")";
        if (returning_) sql += " RETURNING " + *returning_;
        return {sql, params_};
    }

  private:
    std::string table_;
    std::vector<std::string> columns_;
    std::vector<Param> params_;
    std::optional<std::string> returning_;
};

// SELECT * FROM table [WHERE ...] [ORDER BY c]
class Select {
  public:
    explicit Select(std::string_view table) : table_(table) {}

    Select& where(Condition condition) {
        where_ = std::move(condition);
        return *this;
    }
    template <class T>
    Select& order_by(const Column<T>& column) {
        order_by_ = std::string(column.name);
        return *this;
    }

    Statement build() const {
        Statement statement{"SELECT * FROM " + table_, {}};
        std::size_t next = 1;
        if (where_) statement.sql += " WHERE " + render(*where_, next, statement.params);
        if (order_by_) statement.sql += " ORDER BY " + *order_by_;
        return statement;
    }

  private:
    std::string table_;
    std::optional<Condition> where_;
    std::optional<std::string> order_by_;
};

// UPDATE table SET c1 = $1, c2 = $2 WHERE ...: set() is given, where() and
// build() are TODO(14.1), in exercise.cpp.
class Update {
  public:
    explicit Update(std::string_view table) : table_(table) {}

    template <class T, class V>
    requires accepts<T, V> Update& set(const Column<T>& column, V&& value) {
        sets_.emplace_back(std::string(column.name), to_param<T>(std::forward<V>(value)));
        return *this;
    }

    Update& where(Condition condition);
    Statement build() const;

  private:
    std::string table_;
    std::vector<std::pair<std::string, Param>> sets_;  // column, value: in the order set
    std::optional<Condition> where_;
};

// The statements of a table: insert(speakers), select(speakers), update(speakers).
template <class Table>
Insert insert(const Table&) {
    return Insert(Table::table_name);
}
template <class Table>
Select select(const Table&) {
    return Select(Table::table_name);
}
template <class Table>
Update update(const Table&) {
    return Update(Table::table_name);
}

}  // namespace qb
