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

Condition operator||(Condition a, Condition b) {
    Condition either;
    either.pieces = {"(" + a.pieces.front()};
    for (std::size_t i = 1; i < a.pieces.size(); ++i) either.pieces.push_back(a.pieces[i]);
    either.pieces.back() += ") OR (" + b.pieces.front();
    for (std::size_t i = 1; i < b.pieces.size(); ++i) either.pieces.push_back(b.pieces[i]);
    either.pieces.back() += ")";
    either.params = std::move(a.params);
    either.params.insert(either.params.end(), b.params.begin(), b.params.end());
    return either;
}

}  // namespace qb
