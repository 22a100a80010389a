// Chapter 14: what must not compile. Built by CTest once per case
// (chapter14.types.0, .1 ...): as it is (every line right, so it must
// compile), and with WORKBOOK_WRONG set to N, which swaps one right line for
// its wrong twin; the compiler must then refuse it, and its message must
// name the `accepts` concept of query.hpp and the type refused: "V = ",
// the pattern after "refused:" on the `#if`, then "]". The top
// CMakeLists.txt reads those patterns, and the number of cases, from here. Each right twin sits on
// the edge of the rule, so that a rule made stricter fails case 0, as one made looser fails N.
#include "exercise.hpp"

void statements_about_speakers() {
    using chapter14::speakers;
#if WORKBOOK_WRONG == 1  // refused: const char \(&\).6.
    // Text for an integer column.
    const auto text = speakers.talks == "three";
#else
    const auto text = speakers.talks == 3;
#endif
#if WORKBOOK_WRONG == 2  // refused: int
    // A number for a text column.
    const auto number = qb::insert(speakers).value(speakers.name, 42);
#else
    const auto number = qb::insert(speakers).value(speakers.name, "Ada");
#endif
#if WORKBOOK_WRONG == 3  // refused: bool
    // A bool for an integer column: an integer type to C++, but not a number.
    const auto flag = qb::update(speakers).set(speakers.talks, true);
#else
    const auto flag = qb::update(speakers).set(speakers.talks, 2);
#endif
#if WORKBOOK_WRONG == 4  // refused: char
    // A character for an integer column: char is an integer type to C++,
    // and '3' would be stored as 51.
    const auto character = speakers.talks == '3';
#else
    const auto character = speakers.talks == '3' - '0';  // the digit's value, said so
#endif
#if WORKBOOK_WRONG == 5  // refused: const (long unsigned int|unsigned long) ?&
    // An unsigned 64-bit value for an integer column: above INT64_MAX it
    // would arrive as a negative number. The size of a container is one.
    const std::size_t many = 3;
    const auto size = qb::update(speakers).set(speakers.talks, many);
#else
    // 32 unsigned bits always fit in a signed 64-bit column.
    const std::uint32_t many = 4'000'000'000;
    const auto size = qb::update(speakers).set(speakers.talks, many);
#endif
#if WORKBOOK_WRONG == 6  // refused: std::nullptr_t
    // A null pointer for a text column: it converts to std::string_view,
    // and reading it is undefined behaviour. is_null() asks for NULL.
    const auto null = speakers.name == nullptr;
#else
    const auto null = speakers.name.is_null();
#endif
#if WORKBOOK_WRONG == 7  // refused: int
    // Numbers in a list for a text column: each value is checked.
    const auto list = speakers.name.in({1, 2});
#else
    const auto list = speakers.name.in({"Grace", "Barbara"});
#endif
    (void)text, (void)number, (void)flag, (void)character, (void)size, (void)null, (void)list;
}
