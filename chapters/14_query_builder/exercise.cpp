// Chapter 14 exercise: your file. Make `./workbook check 14` green.
//
// qb::Update's where() and build() (TODO 14.1), then qb::operator|| (TODO
// 14.2). exercise.hpp says what each must do; query.hpp has the rest of the
// builder (Insert and Select are the models to follow).
//
// Stuck? `./workbook hint 14`.
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
    // TODO(14.1): "UPDATE table SET c1 = $1, ... WHERE ..." with the SET
    // values first, then the condition's (render numbers them on).
    workbook::todo("14.1");
}

Condition operator||(Condition a, Condition b) {
    // TODO(14.2): "(a) OR (b)", as operator&& in query.hpp builds "(a) AND (b)".
    (void)a, (void)b;
    workbook::todo("14.2");
}

}  // namespace qb
