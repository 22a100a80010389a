// memcached's text protocol without I/O: parsing replies, checking keys
// (memcached_protocol.hpp).
#include "workbook/memcached_protocol.hpp"

#include <stdexcept>
#include <utility>

namespace workbook::memcached {

namespace {

// Longer than any value memcached can be configured to hold (its -I option
// goes up to 1 GB): a length beyond it is not the protocol.
constexpr std::size_t max_value = std::size_t{1} << 30;

// The words of a line split at single spaces.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= line.size()) {
        const auto space = line.find(' ', start);
        const auto end = space == std::string_view::npos ? line.size() : space;
        out.push_back(line.substr(start, end - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return out;
}

}  // namespace

// Resumable, as the Redis parser is: the items of a get that came so far
// stay parsed, a VALUE line's length is kept while its bytes arrive, and the
// search for a line's end goes on from where it stopped. A get of many
// keys that arrives in many reads is looked at once.
std::string ReplyParser::feed(std::string_view data, std::vector<Reply>& out) {
    if (!broken_.empty()) return broken_;
    unparsed_.append(data);
    const auto fail = [&](std::string why) {
        broken_ = std::move(why);
        return broken_;
    };
    for (;;) {
        if (value_) {
            // The bytes of a VALUE whose line has been read.
            std::string bytes;
            const auto block = unparsed_.block(value_->bytes, bytes);
            if (block == UnparsedBytes::Block::more) break;
            if (block == UnparsedBytes::Block::too_long)
                return fail("a value longer than its VALUE line says");
            current_.items.emplace_back(std::move(value_->key),
                                        Item{std::move(bytes), value_->flags});
            value_.reset();
            continue;  // the next VALUE, or END
        }
        const auto line = unparsed_.line();
        if (!line) break;
        if (line->rfind("VALUE ", 0) != 0) {
            // A line that is a reply on its own, or the END after a get's items.
            current_.line = std::string(*line);
            out.push_back(std::exchange(current_, {}));
            continue;
        }
        // VALUE <key> <flags> <bytes> [<cas>], then <bytes> bytes and \r\n.
        const auto parts = words(*line);
        Pending value;
        if (parts.size() < 4 || parts.size() > 5 || !parse_decimal(parts[2], value.flags) ||
            !parse_decimal(parts[3], value.bytes) || value.bytes > max_value) {
            // Appended piece by piece: g++ 12 warns (-Wrestrict, wrongly) at
            // "\"" + std::string(...) once this is inlined.
            std::string why;
            why.assign(1, '"').append(line->substr(0, 60)).append("\" is not a VALUE line");
            return fail(std::move(why));
        }
        value.key = std::string(parts[1]);
        value_ = std::move(value);
    }
    unparsed_.compact();
    return {};
}

void check_key(std::string_view key) {
    const auto refuse = [&](const std::string& why) {
        throw std::invalid_argument("the memcached key \"" + std::string(key.substr(0, 60)) +
                                    "\" " + why);
    };
    if (key.empty()) refuse("is empty");
    if (key.size() > 250)
        refuse("is " + std::to_string(key.size()) + " bytes, over the 250 allowed");
    for (const unsigned char c : key) {
        if (c <= ' ' || c == 127)
            refuse("has a space or a control character, which the text protocol cannot carry");
    }
}

}  // namespace workbook::memcached
