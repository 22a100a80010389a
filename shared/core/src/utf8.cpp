// Well-formed UTF-8, as RFC 3629 and Unicode's table 3-7 define it
// (utf8.hpp).
#include "workbook/utf8.hpp"

#include <cstdio>

namespace workbook {

namespace {

std::string hex(unsigned char byte) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", byte);
    return text;
}

}  // namespace

std::string utf8_problem(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        const std::string where = "byte " + hex(lead) + " at offset " + std::to_string(i);
        // The length the lead byte announces, and the range its first
        // continuation byte must fall in: narrower than 0x80-0xBF after
        // E0 and F0 (overlong), ED (a surrogate) and F4 (above U+10FFFF).
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        } else if (lead == 0xC0 || lead == 0xC1) {
            return where + " starts an overlong encoding (of an ASCII character)";
        } else if (lead < 0xC0) {
            return where + " continues a sequence that never started";
        } else {
            return where + " is never UTF-8";
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= text.size()) {
                return where + " starts a " + std::to_string(length) +
                       "-byte sequence cut short after " + std::to_string(k);
            }
            const auto next = static_cast<unsigned char>(text[i + k]);
            const bool first = k == 1;
            if (next < (first ? low : 0x80) || next > (first ? high : 0xBF)) {
                if (first && next >= 0x80 && next <= 0xBF) {
                    return where + (lead == 0xED   ? " encodes a surrogate (U+D800-U+DFFF)"
                                    : lead == 0xF4 ? " encodes a code point above U+10FFFF"
                                                   : " starts an overlong encoding");
                }
                return where + " starts a " + std::to_string(length) +
                       "-byte sequence that ends after " + std::to_string(k);
            }
        }
        i += length;
    }
    return {};
}

}  // namespace workbook
