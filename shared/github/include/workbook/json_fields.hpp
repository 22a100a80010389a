// Reads a few top-level members of a JSON object, and checks that the whole
// text is JSON (RFC 8259), in one pass and without building a tree.
//
// Why not nlohmann::json, which the workbook uses everywhere else: a
// repository as GitHub sends it is about 1.2 KB of JSON with some eighty
// fields, of which the talk keeps three. nlohmann's lexer reads one character
// at a time into a token buffer; at about 8 µs a repository it was the
// largest single cost of the asynchronous client's requests (`./workbook
// bench fetch`). This reader looks at each byte once, keeps only what it is
// asked for, and is checked against nlohmann on valid, broken and mutated
// documents (tests/json_fields_test.cpp): both must accept and reject the
// same texts and read the same values.
//
// One difference: it refuses nesting deeper than 512 levels (nlohmann has no
// limit); no API answers like that.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace workbook::json {

// What a value is; for messages: kind_name(Kind::string) is "a string".
enum class Kind {
    absent,  // no member of that name
    null,
    boolean,
    integer,    // a whole number that fits a long long
    too_large,  // a whole number that does not
    fraction,   // a number with a fraction or an exponent
    string,
    object,
    array,
};
std::string_view kind_name(Kind kind);

// A member to look for, and what was found: its kind, and its value when it
// is a string (decoded: escapes resolved, \u as UTF-8) or an integer. A name
// given twice: the last value counts, as in a parsed tree.
struct Field {
    explicit Field(std::string_view member) : name(member) {}
    std::string_view name;
    Kind kind = Kind::absent;
    std::string text;
    long long integer = 0;
};

// Checks `text` and fills `fields` from the top-level object. Returns the
// kind of the document (Kind::object for what the fields were read from), or
// Kind::absent when the text is not JSON (empty, broken, trailing bytes,
// invalid UTF-8 in a string ...).
Kind read_fields(std::string_view text, std::span<Field> fields);

}  // namespace workbook::json
