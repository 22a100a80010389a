// RESP without I/O: encoding commands, parsing replies (redis_protocol.hpp).
#include "workbook/redis_protocol.hpp"

#include <algorithm>
#include <charconv>

namespace workbook::redis {

std::string_view type_name(Value::Type type) {
    switch (type) {
        case Value::Type::nil:
            return "nil";
        case Value::Type::simple:
            return "simple string";
        case Value::Type::bulk:
            return "bulk string";
        case Value::Type::integer:
            return "integer";
        case Value::Type::array:
            return "array";
        case Value::Type::error:
            return "error";
    }
    return "?";
}

std::string encode(const std::vector<std::string>& args) {
    // *<count>\r\n, then $<length>\r\n<bytes>\r\n for each argument: the
    // length, not a delimiter, ends an argument, so any bytes may be in it.
    std::size_t size = 16;
    for (const auto& a : args) size += a.size() + 16;
    std::string out;
    out.reserve(size);
    out.append("*").append(std::to_string(args.size())).append("\r\n");
    for (const auto& a : args) {
        out.append("$").append(std::to_string(a.size())).append("\r\n").append(a).append("\r\n");
    }
    return out;
}

namespace {

constexpr std::size_t max_bulk = 512 * 1024 * 1024;  // Redis's own limit for a string
constexpr std::size_t max_depth = 64;

bool read_number(std::string_view line, long long& n, std::string& why) {
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), n);
    if (error != std::errc() || end != line.data() + line.size()) {
        why = "\"" + std::string(line.substr(0, 40)) + "\" is not a number";
        return false;
    }
    return true;
}

}  // namespace

// Resumable: what a reply cut short has shown so far is kept (the arrays
// still filling, a bulk string's length, how far the search for a line's
// end got: UnparsedBytes), and the next bytes go on from there. A reply of a
// million elements that arrives in thousands of reads is looked at once,
// not thousands of times from its start.
std::string ReplyParser::feed(std::string_view data, std::vector<Value>& out) {
    if (!broken_.empty()) return broken_;
    unparsed_.append(data);
    const auto fail = [&](std::string why) {
        broken_ = std::move(why);
        return broken_;
    };
    for (;;) {
        Value v;
        if (bulk_) {
            // A bulk string whose $<length> line has been read.
            const auto block = unparsed_.block(*bulk_, v.text);
            if (block == UnparsedBytes::Block::more) break;
            if (block == UnparsedBytes::Block::too_long)
                return fail("a bulk string longer than its length says");
            v.type = Value::Type::bulk;
            bulk_.reset();
        } else {
            // An element's depth is how many arrays are open around it.
            if (open_.size() > max_depth)
                return fail("arrays nested deeper than " + std::to_string(max_depth));
            const auto read = unparsed_.line();
            if (!read) break;
            if (read->empty()) return fail("an empty line where a reply should start");
            const char kind = read->front();
            const std::string_view line = read->substr(1);
            std::string why;
            switch (kind) {
                case '+':
                case '-':
                    v.type = kind == '+' ? Value::Type::simple : Value::Type::error;
                    v.text = std::string(line);
                    break;
                case ':':
                    if (!read_number(line, v.integer, why)) return fail(why);
                    v.type = Value::Type::integer;
                    break;
                case '$': {
                    long long length = 0;
                    if (!read_number(line, length, why)) return fail(why);
                    if (length == -1) break;  // nil
                    if (length < 0 || static_cast<std::size_t>(length) > max_bulk)
                        return fail("a bulk string of length " + std::to_string(length));
                    bulk_ = static_cast<std::size_t>(length);
                    continue;  // its bytes next
                }
                case '*': {
                    long long count = 0;
                    if (!read_number(line, count, why)) return fail(why);
                    if (count == -1) break;  // nil
                    if (count < 0)
                        return fail("an array of " + std::to_string(count) + " elements");
                    v.type = Value::Type::array;
                    if (count == 0) break;
                    // Reserved up to a bound: the count is the server's word,
                    // not yet bytes that arrived.
                    v.elements.reserve(static_cast<std::size_t>(std::min(count, 4096LL)));
                    open_.push_back({std::move(v), static_cast<std::size_t>(count)});
                    continue;  // its elements next
                }
                default:
                    return fail("a reply starting with byte " +
                                std::to_string(static_cast<unsigned char>(kind)));
            }
        }
        // A complete value: an element of the innermost open array (which
        // it may complete in turn), or a reply of its own.
        while (!open_.empty()) {
            Open& array = open_.back();
            array.value.elements.push_back(std::move(v));
            if (--array.missing > 0) break;
            v = std::move(array.value);
            open_.pop_back();
        }
        if (open_.empty()) out.push_back(std::move(v));
    }
    unparsed_.compact();
    return {};
}

}  // namespace workbook::redis
