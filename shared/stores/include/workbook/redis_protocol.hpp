// RESP, the REdis Serialization Protocol (version 2), without any I/O: a
// command's arguments become bytes, and bytes, however the network cuts
// them, become replies. The Redis client (redis.hpp) sends and reads with
// these; the fuzz target fuzz/resp_reply.cpp feeds them whatever it likes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/unparsed_bytes.hpp"

namespace workbook::redis {

// One RESP reply.
struct Value {
    enum class Type { nil, simple, bulk, integer, array, error };
    Type type = Type::nil;
    std::string text;  // simple, bulk and error: the bytes as sent
    long long integer = 0;
    std::vector<Value> elements;  // array

    bool is_nil() const { return type == Type::nil; }
};

// "nil", "simple string", "bulk string", "integer", "array", "error".
std::string_view type_name(Value::Type type);

// The command's arguments as RESP sends them: an array of bulk strings.
std::string encode(const std::vector<std::string>& args);

// Reads replies out of the bytes of a connection, however they are cut,
// and resumes where it stopped: each byte is looked at a bounded number of
// times, whether a reply comes in one read or in a million. No I/O here.
class ReplyParser {
  public:
    // Appends the complete replies in `data` (and in what earlier calls left
    // over) to `out`; returns an empty string, or why the bytes are not
    // RESP, after which the connection cannot go on (and every later call
    // says the same).
    std::string feed(std::string_view data, std::vector<Value>& out);

    // Bytes looked at so far: searched for a line's end, copied into a
    // value, or moved in the buffer. A test of the parser's cost counts
    // these, which do not depend on how busy the machine is.
    std::size_t work() const { return unparsed_.work(); }

  private:
    struct Open {
        Value value;          // an array, with the elements that came so far
        std::size_t missing;  // elements still to come
    };
    UnparsedBytes unparsed_;
    std::vector<Open> open_;           // the arrays being filled, outermost first
    std::optional<std::size_t> bulk_;  // the length of a bulk string whose bytes come next
    std::string broken_;               // why the bytes are not RESP, once they are not
};

}  // namespace workbook::redis
