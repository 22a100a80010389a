// Chapter 14's query builder (given): a table described once, with typed
// columns, and statements built from it, whose values always travel as
// parameters. The talk's slide did this with SQLAlchemy:
//
//     speakers = sa.Table('speakers', metadata,
//                         sa.Column('id', sa.Integer, primary_key=True),
//                         sa.Column('name', sa.String(255)))
//     await conn.execute(speakers.insert().values(name=speaker))
//     async for row in conn.execute(speakers.select()): ...
//
// What C++ adds: a column knows its type, and a value of another type does
// not compile. `speakers.talks == "three"` is an error from the compiler,
// naming the `accepts` concept below, not a failure at run time.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
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

// Which C++ values a column of type T accepts: integers for an integer
// column, text for a text column, numbers for a double column, bool for a
// bool column. Nothing else compiles.
template <class T, class V>
concept accepts = (std::same_as<T, std::int64_t> && std::integral<std::remove_cvref_t<V>> &&
                   !std::same_as<std::remove_cvref_t<V>, bool>) ||
                  (std::same_as<T, std::string> && std::convertible_to<V, std::string_view>) ||
                  (std::same_as<T, double> && std::is_arithmetic_v<std::remove_cvref_t<V>> &&
                   !std::same_as<std::remove_cvref_t<V>, bool>) ||
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

// a AND b. Both sides in parentheses: a side may be an OR (see TODO 14.2),
// and SQL's AND binds tighter than its OR.
inline Condition operator&&(Condition a, Condition b) {
    Condition both;
    both.pieces = {"(" + a.pieces.front()};
    for (std::size_t i = 1; i < a.pieces.size(); ++i) both.pieces.push_back(a.pieces[i]);
    both.pieces.back() += ") AND (" + b.pieces.front();
    for (std::size_t i = 1; i < b.pieces.size(); ++i) both.pieces.push_back(b.pieces[i]);
    both.pieces.back() += ")";
    both.params = std::move(a.params);
    both.params.insert(both.params.end(), b.params.begin(), b.params.end());
    return both;
}

// a OR b: TODO(14.2), in exercise.cpp.
Condition operator||(Condition a, Condition b);

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

  private:
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
