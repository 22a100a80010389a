// The one way the workbook's programs read a number from their command line:
// every character a digit, within [min, max], or no number at all. (atoi
// takes "x" for 0 and strtol takes "12abc" for 12; each caller then says
// what was wrong in its own words.)
#pragma once

#include <charconv>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace workbook {

inline std::optional<long> whole_number(std::string_view text, long min, long max) {
    long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    if (value < min || value > max) return std::nullopt;
    return value;
}

// The same, for a program that reports a bad argument by catching
// std::invalid_argument: "--clients takes a whole number from 1, not "x"".
inline long whole_number_or_throw(std::string_view what, std::string_view text, long min,
                                  long max = std::numeric_limits<long>::max()) {
    if (const auto value = whole_number(text, min, max)) return *value;
    std::string range = "from " + std::to_string(min);
    if (max != std::numeric_limits<long>::max()) range += " to " + std::to_string(max);
    throw std::invalid_argument(std::string(what) + " takes a whole number " + range + ", not \"" +
                                std::string(text) + "\"");
}

}  // namespace workbook
