// RESP, the REdis Serialization Protocol (version 2), without any I/O: a
// command's arguments become bytes, and bytes, however the network cuts
// them, become replies. The Redis client (redis.hpp) sends and reads with
// these; the fuzz target fuzz/resp_reply.cpp feeds them whatever it likes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// Reads replies out of the bytes of a connection, however they are cut.
// No I/O here.
class ReplyParser {
  public:
    // Appends the complete replies in `data` (and in what earlier calls left
    // over) to `out`; returns an empty string, or why the bytes are not
    // RESP, after which the connection cannot go on.
    std::string feed(std::string_view data, std::vector<Value>& out);

  private:
    std::string pending_;  // bytes of a reply not yet complete
};

}  // namespace workbook::redis
