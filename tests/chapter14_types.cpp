// Chapter 14: what must not compile. Built by CTest four times: as it is
// (every line right, it must compile) and with WORKBOOK_WRONG set to 1, 2
// or 3, which swaps one right line for a wrong one; the compiler must then
// refuse it and name the `accepts` concept of query.hpp.
#include "exercise.hpp"

void statements_about_speakers() {
    using chapter14::speakers;
#if WORKBOOK_WRONG == 1
    const auto condition = speakers.talks == "three";  // text for an integer column
#else
    const auto condition = speakers.talks == 3;
#endif
#if WORKBOOK_WRONG == 2
    const auto insert =
        qb::insert(speakers).value(speakers.name, 42);  // a number for a text column
#else
    const auto insert = qb::insert(speakers).value(speakers.name, "Ada");
#endif
#if WORKBOOK_WRONG == 3
    const auto update =
        qb::update(speakers).set(speakers.talks, true);  // bool for an integer column
#else
    const auto update = qb::update(speakers).set(speakers.talks, 2);
#endif
    (void)condition, (void)insert, (void)update;
}
