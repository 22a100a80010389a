// Fuzz target: the RESP reply parser of the Redis client
// (workbook::redis::ReplyParser), which reads whatever the server sends.
// Checked: no crash (deep nesting, huge lengths), the same replies and the
// same verdict however the bytes are cut, and that a command encoded by
// encode() reads back as exactly its arguments.
#include "fuzz.hpp"
#include "workbook/redis_protocol.hpp"

namespace {

using workbook::redis::Value;

void describe(const Value& v, std::string& out) {
    out += std::string(workbook::redis::type_name(v.type)) + "(";
    if (v.type == Value::Type::integer) out += std::to_string(v.integer);
    out += v.text;
    for (const auto& e : v.elements) describe(e, out);
    out += ")";
}

std::string read_all(const std::vector<std::string_view>& pieces) {
    workbook::redis::ReplyParser parser;
    std::vector<Value> replies;
    std::string seen;
    for (const auto piece : pieces) {
        if (const auto why = parser.feed(piece, replies); !why.empty()) {
            seen = "error: " + why + "\n";
            break;
        }
    }
    for (const auto& r : replies) {
        describe(r, seen);
        seen += "\n";
    }
    return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::read_input(data, size);
    fuzz::same_in_pieces(input, read_all, "the replies differ when the bytes come in pieces");

    // The same bytes as a command's arguments, split at zero bytes: what
    // encode() sends must read back as an array of exactly those strings.
    std::vector<std::string> args;
    std::string_view rest = input.bytes;
    for (auto zero = rest.find('\0'); !rest.empty(); zero = rest.find('\0')) {
        args.emplace_back(rest.substr(0, zero));
        rest = zero == std::string_view::npos ? std::string_view() : rest.substr(zero + 1);
    }
    if (args.empty()) return 0;
    workbook::redis::ReplyParser parser;
    std::vector<Value> back;
    fuzz::check(parser.feed(workbook::redis::encode(args), back).empty() && back.size() == 1,
                "an encoded command does not read back as one value");
    fuzz::check(back[0].type == Value::Type::array && back[0].elements.size() == args.size(),
                "an encoded command does not read back as an array of its arguments");
    for (std::size_t i = 0; i < args.size(); ++i) {
        fuzz::check(
            back[0].elements[i].type == Value::Type::bulk && back[0].elements[i].text == args[i],
            "an argument does not read back as itself", args[i]);
    }
    return 0;
}
