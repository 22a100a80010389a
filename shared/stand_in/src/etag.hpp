// ETags and If-None-Match: how the stand-in answers 304 Not Modified.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace workbook::stand_in_parts {

// A strong ETag: the body is the same bytes for the same repository and
// Host, so equal tags mean equal bodies. A 64-bit hash taken eight bytes a
// step (a byte at a time, FNV-1a took about 2 us of a 1.2 KB body: a good
// part of what the stand-in spends on a request); a collision would need
// two different bodies of one repository, which the stand-in never serves.
inline std::string etag_of(std::string_view body) {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ body.size();
    const auto mix = [&h](std::uint64_t word) {
        h = (h ^ word) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    };
    std::size_t at = 0;
    for (; at + 8 <= body.size(); at += 8) {
        std::uint64_t word;
        std::memcpy(&word, body.data() + at, 8);
        mix(word);
    }
    std::uint64_t rest = 0;
    if (at < body.size()) std::memcpy(&rest, body.data() + at, body.size() - at);
    mix(rest);
    mix(0);  // spreads the last word's bits over all of h
    static constexpr char hex[] = "0123456789abcdef";
    std::string tag(18, '"');
    for (int i = 16; i >= 1; --i, h >>= 4) tag[static_cast<std::size_t>(i)] = hex[h & 15];
    return tag;
}

// If-None-Match holds "*" or a list of tags, compared weakly (RFC 9110
// 13.1.2): W/"x" matches "x".
inline bool none_match(std::string_view header, std::string_view etag) {
    const auto strip = [](std::string_view t) {
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
        if (t.substr(0, 2) == "W/") t.remove_prefix(2);
        return t;
    };
    if (strip(header) == "*") return true;
    while (!header.empty()) {
        const auto comma = header.find(',');
        if (strip(header.substr(0, comma)) == strip(etag)) return true;
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    }
    return false;
}

}  // namespace workbook::stand_in_parts
