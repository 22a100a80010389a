#include "workbook/json_fields.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

namespace workbook::json {

std::string_view kind_name(Kind kind) {
    switch (kind) {
        case Kind::absent:
            return "absent";
        case Kind::null:
            return "null";
        case Kind::boolean:
            return "a boolean";
        case Kind::integer:
            return "a number";
        case Kind::too_large:
            return "a number too large";
        case Kind::fraction:
            return "a fractional number";
        case Kind::string:
            return "a string";
        case Kind::object:
            return "an object";
        case Kind::array:
            return "an array";
    }
    return "?";
}

namespace {

constexpr int max_depth = 512;

// The bytes a string holds as they are: printable ASCII but the quote and the
// backslash. A table, so the loop over a string's body is one load and one
// test a byte.
constexpr auto plain_bytes = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
    return plain;
}();

// The length of the UTF-8 sequence at `p` (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 if it is not one.
std::size_t utf8_length(const unsigned char* p, const unsigned char* end) {
    const auto in = [&](std::size_t i, unsigned char lo, unsigned char hi) {
        return p + i < end && p[i] >= lo && p[i] <= hi;
    };
    const unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// A recursive-descent reader. Every function returns Kind::absent (or
// false) as soon as the text stops being JSON; the caller passes that up.
class Reader {
  public:
    Reader(std::string_view text, std::span<Field> fields)
        : p_(reinterpret_cast<const unsigned char*>(text.data())),
          end_(p_ + text.size()),
          fields_(fields) {}

    Kind document() {
        // A UTF-8 byte order mark is allowed before the value, as nlohmann does.
        if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
        skip_space();
        const Kind kind = value(0, nullptr);
        if (kind == Kind::absent) return Kind::absent;
        skip_space();
        return p_ == end_ ? kind : Kind::absent;
    }

  private:
    void skip_space() {
        const unsigned char* p = p_;  // a local: the compiler keeps it in a register
        while (p < end_ && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
        p_ = p;
    }

    // A value at `depth`; `into`: the asked-for member it is the value of.
    Kind value(int depth, Field* into) {
        if (p_ == end_) return Kind::absent;
        switch (*p_) {
            case '{':
                return object(depth, into);
            case '[':
                return array(depth, into);
            case '"':
                ++p_;
                if (!string(into ? &into->text : nullptr)) return Kind::absent;
                return found(into, Kind::string);
            case 't':
                return literal("true", Kind::boolean, into);
            case 'f':
                return literal("false", Kind::boolean, into);
            case 'n':
                return literal("null", Kind::null, into);
            default:
                return number(into);
        }
    }

    static Kind found(Field* into, Kind kind) {
        if (into) into->kind = kind;
        return kind;
    }

    Kind object(int depth, Field* into) {
        if (depth >= max_depth) return Kind::absent;
        ++p_;  // {
        skip_space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return found(into, Kind::object);
        }
        for (;;) {
            skip_space();
            if (p_ == end_ || *p_ != '"') return Kind::absent;
            ++p_;
            Field* member = nullptr;
            const unsigned char* key_start = p_;
            if (!string(nullptr)) return Kind::absent;
            if (depth == 0 && !fields_.empty()) {
                std::string_view key(reinterpret_cast<const char*>(key_start),
                                     static_cast<std::size_t>(p_ - 1 - key_start));
                if (key.find('\\') != std::string_view::npos) {
                    // Escaped: "na\u006De" is "name". Read it again, decoded.
                    const unsigned char* after = p_;
                    p_ = key_start;
                    key_.clear();
                    string(&key_);
                    p_ = after;
                    key = key_;
                }
                for (auto& field : fields_) {
                    if (field.name == key) member = &field;
                }
            }
            skip_space();
            if (p_ == end_ || *p_ != ':') return Kind::absent;
            ++p_;
            skip_space();
            if (member) member->text.clear();  // a name given twice: the last value counts
            if (value(depth + 1, member) == Kind::absent) return Kind::absent;
            skip_space();
            if (p_ == end_) return Kind::absent;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ != '}') return Kind::absent;
            ++p_;
            return found(into, Kind::object);
        }
    }

    Kind array(int depth, Field* into) {
        if (depth >= max_depth) return Kind::absent;
        ++p_;  // [
        skip_space();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return found(into, Kind::array);
        }
        for (;;) {
            skip_space();
            if (value(depth + 1, nullptr) == Kind::absent) return Kind::absent;
            skip_space();
            if (p_ == end_) return Kind::absent;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ != ']') return Kind::absent;
            ++p_;
            return found(into, Kind::array);
        }
    }

    Kind literal(std::string_view word, Kind kind, Field* into) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) {
            return Kind::absent;
        }
        p_ += word.size();
        return found(into, kind);
    }

    static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    Kind number(Field* into) {
        const unsigned char* start = p_;
        if (*p_ == '-') ++p_;
        if (p_ == end_) return Kind::absent;
        if (*p_ == '0') {
            ++p_;
        } else if (*p_ >= '1' && *p_ <= '9') {
            while (p_ < end_ && digit(*p_)) ++p_;
        } else {
            return Kind::absent;
        }
        bool whole = true;
        if (p_ < end_ && *p_ == '.') {
            whole = false;
            ++p_;
            if (p_ == end_ || !digit(*p_)) return Kind::absent;
            while (p_ < end_ && digit(*p_)) ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            whole = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || !digit(*p_)) return Kind::absent;
            while (p_ < end_ && digit(*p_)) ++p_;
        }
        if (whole) {
            long long n = 0;
            const auto [end, error] = std::from_chars(reinterpret_cast<const char*>(start),
                                                      reinterpret_cast<const char*>(p_), n);
            (void)end;
            if (!error_is_range(error)) {
                if (into) into->integer = n;
                return found(into, Kind::integer);
            }
        }
        // As a double, which is what nlohmann makes of it: one too large for
        // a double (1e400) is refused as an overflow, one too small to tell
        // from zero (1e-400) is taken.
        double d = 0;
        const auto [end, error] = std::from_chars(reinterpret_cast<const char*>(start),
                                                  reinterpret_cast<const char*>(p_), d);
        (void)end;
        if (error_is_range(error) && above_one(start, p_)) return Kind::absent;
        return found(into, whole ? Kind::too_large : Kind::fraction);
    }

    static bool error_is_range(std::errc error) { return error == std::errc::result_out_of_range; }

    // Whether a well-formed number, whatever its sign, is at least 1 in size:
    // where its first significant digit stands, plus its exponent.
    static bool above_one(const unsigned char* p, const unsigned char* end) {
        if (*p == '-') ++p;
        long long place = 0;  // the power of ten of the first significant digit
        bool found_digit = false, after_point = false;
        for (; p < end && *p != 'e' && *p != 'E'; ++p) {
            if (*p == '.') {
                after_point = true;
            } else if (!found_digit && *p == '0') {
                if (after_point) --place;
            } else if (!found_digit) {
                found_digit = true;
                place = after_point ? place - 1 : 0;
            } else if (!after_point) {
                ++place;
            }
        }
        long long exponent = 0;
        if (p < end) {
            ++p;  // e
            const bool negative = *p == '-';
            if (*p == '-' || *p == '+') ++p;
            for (; p < end; ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1'000'000'000LL);
            if (negative) exponent = -exponent;
        }
        return found_digit && place + exponent >= 0;
    }

    bool hex4(std::uint32_t& out) {
        if (end_ - p_ < 4) return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const unsigned char c = *p_++;
            out <<= 4;
            if (c >= '0' && c <= '9') {
                out |= c - '0';
            } else if (c >= 'a' && c <= 'f') {
                out |= c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                out |= c - 'A' + 10;
            } else {
                return false;
            }
        }
        return true;
    }

    // The rest of a string after its opening quote, decoded into `out` if
    // that is not null.
    bool string(std::string* out) {
        for (;;) {
            // Most of a string is plain ASCII: take it as a run.
            const unsigned char* run = p_;
            const unsigned char* p = p_;
            while (p < end_ && plain_bytes[*p]) ++p;
            p_ = p;
            if (out) out->append(reinterpret_cast<const char*>(run), p_ - run);
            if (p_ == end_) return false;
            const unsigned char c = *p_;
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c < 0x20) return false;  // a control character must be escaped
            if (c == '\\') {
                ++p_;
                if (p_ == end_) return false;
                char plain = 0;
                switch (*p_++) {
                    case '"':
                        plain = '"';
                        break;
                    case '\\':
                        plain = '\\';
                        break;
                    case '/':
                        plain = '/';
                        break;
                    case 'b':
                        plain = '\b';
                        break;
                    case 'f':
                        plain = '\f';
                        break;
                    case 'n':
                        plain = '\n';
                        break;
                    case 'r':
                        plain = '\r';
                        break;
                    case 't':
                        plain = '\t';
                        break;
                    case 'u': {
                        std::uint32_t cp = 0;
                        if (!hex4(cp)) return false;
                        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
                        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high one: its low one must follow
                            std::uint32_t low = 0;
                            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                            p_ += 2;
                            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        }
                        if (out) append_utf8(*out, cp);
                        continue;
                    }
                    default:
                        return false;
                }
                if (out) *out += plain;
                continue;
            }
            const std::size_t n = utf8_length(p_, end_);
            if (n == 0) return false;
            if (out) out->append(reinterpret_cast<const char*>(p_), n);
            p_ += n;
        }
    }

    const unsigned char* p_;
    const unsigned char* end_;
    std::span<Field> fields_;
    std::string key_;
};

}  // namespace

Kind read_fields(std::string_view text, std::span<Field> fields) {
    for (auto& field : fields) {
        field.kind = Kind::absent;
        field.text.clear();
        field.integer = 0;
    }
    Reader reader(text, fields);
    const Kind kind = reader.document();
    // Fields of a text that is not JSON are not to be trusted.
    if (kind == Kind::absent) {
        for (auto& field : fields) field.kind = Kind::absent;
    }
    return kind;
}

}  // namespace workbook::json
