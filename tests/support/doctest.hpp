// doctest, as every test of the workbook includes it: include this, never
// <doctest/doctest.h> itself.
//
// doctest 2.4 prints a `const char*` in a message as a pointer: a hint kept
// in a `constexpr const char*`, or `FAIL(e.what())`, reaches the learner as
// `0x558b873d18f8`. These make it print the text, in every file alike (a
// specialization must be seen before the first message that uses it).
#pragma once

#include <doctest/doctest.h>

namespace doctest {

template <>
struct StringMaker<const char*> {
    static String convert(const char* text) { return text ? String(text) : String("(null)"); }
};

template <>
struct StringMaker<char*> {
    static String convert(const char* text) { return text ? String(text) : String("(null)"); }
};

}  // namespace doctest
