// Chapter 14 reference answer.
#include "exercise.hpp"

#include <stdexcept>

namespace qb {

// [slide:update]
Update& Update::where(Condition condition) {
    where_ = std::move(condition);
    return *this;
}

Statement Update::build() const {
    if (sets_.empty())
        throw std::logic_error("UPDATE " + table_ + " has nothing to set: call set()");
    if (!where_) {
        throw std::logic_error("UPDATE " + table_ +
                               " without where() would change every row: give a condition");
    }
    Statement statement{"UPDATE " + table_ + " SET ", {}};
    std::size_t next = 1;
    for (std::size_t i = 0; i < sets_.size(); ++i) {
        statement.sql += (i ? ", " : "") + sets_[i].first + " = $" + std::to_string(next++);
        statement.params.push_back(sets_[i].second);
    }
    // The condition's parameters are numbered on from the SET's.
    statement.sql += " WHERE " + render(*where_, next, statement.params);
    return statement;
}
// [/slide]

// [slide:combine]
Condition combine(Condition a, std::string_view op, Condition b) {
    // a's pieces, with "(" in front; then a's last piece and b's first
    // become one, so that no parameter is lost or gained at the seam.
    Condition both;
    both.pieces = std::move(a.pieces);
    both.pieces.front().insert(0, "(");
    both.pieces.back() += ") " + std::string(op) + " (" + b.pieces.front();
    both.pieces.insert(both.pieces.end(), std::next(b.pieces.begin()), b.pieces.end());
    both.pieces.back() += ")";
    both.params = std::move(a.params);
    both.params.insert(both.params.end(), b.params.begin(), b.params.end());
    return both;
}
// [/slide]

// [slide:in_list]
Condition in_list(std::string_view column, std::vector<Param> values) {
    // x IN () is a syntax error; x IN (nothing) is false for every row.
    if (values.empty()) return {{"FALSE"}, {}};
    // "name IN (", then ", " between two values, then ")": one piece more
    // than values, and the numbers left to the statement that places it.
    Condition condition{{std::string(column) + " IN ("}, std::move(values)};
    for (std::size_t i = 1; i < condition.params.size(); ++i) condition.pieces.push_back(", ");
    condition.pieces.push_back(")");
    return condition;
}
// [/slide]

}  // namespace qb
