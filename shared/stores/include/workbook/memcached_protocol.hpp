// memcached's text protocol without any I/O: which keys it can carry, and
// replies read out of bytes however the network cuts them. The memcached
// client (memcached.hpp) sends and reads with these; the fuzz target
// fuzz/memcached_reply.cpp feeds them whatever it likes.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "workbook/unparsed_bytes.hpp"

namespace workbook::memcached {

// A stored value and the 32 bits of flags stored with it (the client's to
// use: aiomcache leaves them 0, others mark how the value was serialised).
struct Item {
    std::string value;
    std::uint32_t flags = 0;

    bool operator==(const Item&) const = default;
};

// One reply of the text protocol: a line ("STORED", "NOT_FOUND", "DELETED",
// "43" for incr ...), or, for a get, the items before its "END".
struct Reply {
    std::string line;                                 // "END" after a get's items
    std::vector<std::pair<std::string, Item>> items;  // a get's: key and item, as sent
};

// Reads replies out of the bytes of a connection, however they are cut. A
// reply is either one line, or "VALUE key flags bytes" blocks up to "END".
// It resumes where it stopped: each byte is looked at a bounded number of
// times, however many reads a reply takes. No I/O here.
class ReplyParser {
  public:
    // Appends the complete replies in `data` (and in what earlier calls left
    // over) to `out`; returns "", or why the bytes are not memcached's text
    // protocol, after which the connection cannot go on (and every later
    // call says the same).
    std::string feed(std::string_view data, std::vector<Reply>& out);

    // Bytes looked at so far (searched, copied or moved): what a test of
    // the parser's cost counts.
    std::size_t work() const { return unparsed_.work(); }

  private:
    struct Pending {  // a VALUE line read, its bytes still to come
        std::string key;
        std::uint32_t flags = 0;
        std::size_t bytes = 0;
    };
    UnparsedBytes unparsed_;
    Reply current_;                 // a get's items so far
    std::optional<Pending> value_;  // the VALUE whose bytes come next
    std::string broken_;            // why the bytes are not the protocol, once they are not
};

// Throws std::invalid_argument when memcached's text protocol cannot carry
// `key`: empty, over 250 bytes, or with a space or a control character.
void check_key(std::string_view key);

// True when `text` is a whole decimal number that fits in `n` (read into
// it): nothing before it, nothing after it, not empty.
template <class Number>
bool parse_decimal(std::string_view text, Number& n) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace workbook::memcached
