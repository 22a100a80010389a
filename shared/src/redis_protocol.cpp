// RESP without I/O: encoding commands, parsing replies (redis_protocol.hpp).
#include "workbook/redis_protocol.hpp"

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
constexpr int max_depth = 64;

enum class Parsed { value, more, bad };

// One reply at in[pos...]: on `value`, pos is past it.
Parsed parse(std::string_view in, std::size_t& pos, Value& v, std::string& why, int depth) {
    if (depth > max_depth) {
        why = "arrays nested deeper than " + std::to_string(max_depth);
        return Parsed::bad;
    }
    const auto eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return Parsed::more;
    if (eol == pos) {
        why = "an empty line where a reply should start";
        return Parsed::bad;
    }
    const char kind = in[pos];
    const std::string_view line = in.substr(pos + 1, eol - pos - 1);
    const auto number = [&](long long& n) {
        const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), n);
        if (error != std::errc() || end != line.data() + line.size()) {
            why = "\"" + std::string(line.substr(0, 40)) + "\" is not a number";
            return false;
        }
        return true;
    };
    switch (kind) {
        case '+':
        case '-':
            v.type = kind == '+' ? Value::Type::simple : Value::Type::error;
            v.text = std::string(line);
            pos = eol + 2;
            return Parsed::value;
        case ':':
            if (!number(v.integer)) return Parsed::bad;
            v.type = Value::Type::integer;
            pos = eol + 2;
            return Parsed::value;
        case '$': {
            long long length = 0;
            if (!number(length)) return Parsed::bad;
            if (length == -1) {
                v.type = Value::Type::nil;
                pos = eol + 2;
                return Parsed::value;
            }
            if (length < 0 || static_cast<std::size_t>(length) > max_bulk) {
                why = "a bulk string of length " + std::to_string(length);
                return Parsed::bad;
            }
            const std::size_t start = eol + 2, size = static_cast<std::size_t>(length);
            if (in.size() < start + size + 2) return Parsed::more;
            if (in.substr(start + size, 2) != "\r\n") {
                why = "a bulk string longer than its length says";
                return Parsed::bad;
            }
            v.type = Value::Type::bulk;
            v.text = std::string(in.substr(start, size));
            pos = start + size + 2;
            return Parsed::value;
        }
        case '*': {
            long long count = 0;
            if (!number(count)) return Parsed::bad;
            if (count == -1) {
                v.type = Value::Type::nil;
                pos = eol + 2;
                return Parsed::value;
            }
            if (count < 0) {
                why = "an array of " + std::to_string(count) + " elements";
                return Parsed::bad;
            }
            std::size_t at = eol + 2;
            Value array;
            array.type = Value::Type::array;
            for (long long i = 0; i < count; ++i) {
                Value element;
                const Parsed p = parse(in, at, element, why, depth + 1);
                if (p != Parsed::value) return p;
                array.elements.push_back(std::move(element));
            }
            v = std::move(array);
            pos = at;
            return Parsed::value;
        }
        default:
            why = "a reply starting with byte " + std::to_string(static_cast<unsigned char>(kind));
            return Parsed::bad;
    }
}

}  // namespace

std::string ReplyParser::feed(std::string_view data, std::vector<Value>& out) {
    pending_.append(data);
    // A reply cut short is parsed again from its start when more comes:
    // simple, and cheap for the short replies of a pipeline. (A resumable
    // parser would save that for multi-megabyte arrays.)
    std::size_t pos = 0;
    std::string why;
    for (;;) {
        Value v;
        std::size_t at = pos;
        const Parsed p = parse(pending_, at, v, why, 0);
        if (p == Parsed::bad) return why;
        if (p == Parsed::more) break;
        out.push_back(std::move(v));
        pos = at;
    }
    pending_.erase(0, pos);
    return {};
}

}  // namespace workbook::redis
