// memcached's text protocol without I/O: parsing replies, checking keys
// (memcached_protocol.hpp).
#include "workbook/memcached_protocol.hpp"

#include <stdexcept>

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

enum class Parsed { reply, more, bad };

// One reply at in[pos...]: on `reply`, pos is past it.
Parsed parse(std::string_view in, std::size_t& pos, Reply& reply, std::string& why) {
    std::size_t at = pos;
    for (;;) {
        const auto eol = in.find("\r\n", at);
        if (eol == std::string_view::npos) return Parsed::more;
        const std::string_view line = in.substr(at, eol - at);
        if (line.rfind("VALUE ", 0) != 0) {
            // A line that is a reply on its own, or the END after a get's items.
            reply.line = std::string(line);
            pos = eol + 2;
            return Parsed::reply;
        }
        // VALUE <key> <flags> <bytes> [<cas>], then <bytes> bytes and \r\n.
        const auto parts = words(line);
        std::uint32_t flags = 0;
        std::size_t bytes = 0;
        if (parts.size() < 4 || parts.size() > 5 || !parse_decimal(parts[2], flags) ||
            !parse_decimal(parts[3], bytes) || bytes > max_value) {
            // Appended piece by piece: g++ 12 warns (-Wrestrict, wrongly) at
            // "\"" + std::string(...) once this is inlined.
            why.assign(1, '"').append(line.substr(0, 60)).append("\" is not a VALUE line");
            return Parsed::bad;
        }
        const std::size_t start = eol + 2;
        if (in.size() < start + bytes + 2) return Parsed::more;
        if (in.substr(start + bytes, 2) != "\r\n") {
            why = "a value longer than its VALUE line says";
            return Parsed::bad;
        }
        reply.items.emplace_back(std::string(parts[1]),
                                 Item{std::string(in.substr(start, bytes)), flags});
        at = start + bytes + 2;  // the next VALUE, or END
    }
}

}  // namespace

std::string ReplyParser::feed(std::string_view data, std::vector<Reply>& out) {
    pending_.append(data);
    // A reply cut short is parsed again from its start when more comes, as
    // the Redis parser does.
    std::size_t pos = 0;
    std::string why;
    for (;;) {
        Reply reply;
        std::size_t at = pos;
        const Parsed p = parse(pending_, at, reply, why);
        if (p == Parsed::bad) return why;
        if (p == Parsed::more) break;
        out.push_back(std::move(reply));
        pos = at;
    }
    pending_.erase(0, pos);
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
