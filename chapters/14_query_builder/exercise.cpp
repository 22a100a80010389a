// Chapter 14 exercise: your file. Make `./workbook check 14` green.
//
// Three parts of the query builder: Update's where() and build() (TODO
// 14.1), combine() under && and || (TODO 14.2), and in_list() under
// Column::in (TODO 14.3). exercise.hpp says what each must build;
// query.hpp has the rest of the builder: Insert and Select are statements
// to compare with, and the comment on Condition says how its pieces and
// parameters fit together.
//
// Stuck? `./workbook hint 14.1` (or 14.2, 14.3).
#include "exercise.hpp"

#include <stdexcept>

#include "workbook/todo.hpp"

namespace qb {

Update& Update::where(Condition condition) {
    // TODO(14.1): keep the condition for build().
    (void)condition;
    workbook::todo("14.1");
}

Statement Update::build() const {
    // TODO(14.1): refuse an UPDATE with nothing set or without where(), then
    // "UPDATE table SET c1 = $1, ... WHERE ..." with the SET values first,
    // then the condition's (render numbers them on).
    workbook::todo("14.1");
}

Condition combine(Condition a, std::string_view op, Condition b) {
    // TODO(14.2): "(a) op (b)" as pieces and parameters: one piece more
    // than parameters, a's parameters before b's.
    (void)a, (void)op, (void)b;
    workbook::todo("14.2");
}

Condition in_list(std::string_view column, std::vector<Param> values) {
    // TODO(14.3): "column IN ($?, $?)" as pieces and parameters, and a
    // condition no row meets when there are no values.
    (void)column, (void)values;
    workbook::todo("14.3");
}

}  // namespace qb
