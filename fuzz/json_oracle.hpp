// nlohmann::json as the oracle of json_fields (the reader behind
// parse_repo_info): both must accept and reject the same texts and read the
// same three fields. tests/json_fields_test.cpp asks it about hand-picked
// texts and mutations; the fuzz target fuzz/repo_info.cpp about whatever
// libFuzzer makes up.
#pragma once

#include <climits>
#include <nlohmann/json.hpp>
#include <string>

#include "workbook/json_fields.hpp"

namespace workbook::json_oracle {

using workbook::json::Field;
using workbook::json::Kind;

inline const char* const names[] = {"name", "full_name", "stargazers_count"};

inline Kind kind_of(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null:
            return Kind::null;
        case nlohmann::json::value_t::boolean:
            return Kind::boolean;
        case nlohmann::json::value_t::number_integer:
            return Kind::integer;
        case nlohmann::json::value_t::number_unsigned:
            return value.get<unsigned long long>() > LLONG_MAX ? Kind::too_large : Kind::integer;
        case nlohmann::json::value_t::number_float:
            return Kind::fraction;
        case nlohmann::json::value_t::string:
            return Kind::string;
        case nlohmann::json::value_t::object:
            return Kind::object;
        case nlohmann::json::value_t::array:
            return Kind::array;
        default:
            return Kind::absent;
    }
}

// "" when both readers agree on `text`, else what differs.
inline std::string disagreement(const std::string& text) {
    Field fields[] = {Field(names[0]), Field(names[1]), Field(names[2])};
    const Kind ours = workbook::json::read_fields(text, fields);
    // nlohmann takes a zero byte for the end of the text and accepts "1\0x";
    // JSON allows one nowhere (not even raw inside a string), so it must be
    // refused, whatever nlohmann says.
    if (text.find('\0') != std::string::npos)
        return ours == Kind::absent ? "" : "accepted a text with a zero byte";
    const auto theirs = nlohmann::json::parse(text, nullptr, false);
    if (theirs.is_discarded() != (ours == Kind::absent)) {
        return theirs.is_discarded() ? "accepted what nlohmann rejects"
                                     : "rejected what nlohmann accepts";
    }
    if (theirs.is_discarded()) return {};
    // A whole number past 2^64 is a float to nlohmann, too large to us (here
    // and in the fields below).
    const bool same_document =
        kind_of(theirs) == ours || (ours == Kind::too_large && kind_of(theirs) == Kind::fraction);
    if (!same_document) return "another kind of document";
    if (!theirs.is_object()) return {};
    for (const auto& field : fields) {
        const std::string name(field.name);
        const auto it = theirs.find(name);
        if (it == theirs.end()) {
            if (field.kind != Kind::absent) return name + ": found where nlohmann has none";
            continue;
        }
        const Kind expected = kind_of(*it);
        const bool same_kind =
            field.kind == expected || (field.kind == Kind::too_large && expected == Kind::fraction);
        if (!same_kind) return name + ": another kind";
        if (expected == Kind::string && field.text != it->get<std::string>())
            return name + ": another string";
        if (expected == Kind::integer && field.integer != it->get<long long>())
            return name + ": another number";
    }
    return {};
}

}  // namespace workbook::json_oracle
