// How a failing check prints what a learner needs to read. doctest prints
// `{?}` for a type it cannot show, such as a std::vector: these teach it.
// (For an std::atomic, check `.load()`, which prints as the number.)
#pragma once

#include "support/doctest.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace doctest {

template <class T>
struct StringMaker<std::vector<T>> {
    static String convert(const std::vector<T>& values) {
        String text = "[";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i > 0) text += ", ";
            text += toString(values[i]);
        }
        return text + "]";
    }
};

}  // namespace doctest

namespace workbook::testing {

// `text` contains `part`; `CHECK(mentions(error, "404"))` prints both when
// it fails, where `error.find("404") != npos` would print 18446744073709551615.
struct Mentions {
    std::string text, part;
    explicit operator bool() const { return text.find(part) != std::string::npos; }
};
inline Mentions mentions(std::string_view text, std::string_view part) {
    return {std::string(text), std::string(part)};
}

}  // namespace workbook::testing

namespace doctest {
template <>
struct StringMaker<workbook::testing::Mentions> {
    static String convert(const workbook::testing::Mentions& m) {
        return ("\"" + m.text + "\" mentions \"" + m.part + "\"").c_str();
    }
};
}  // namespace doctest
