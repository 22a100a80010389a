// Fuzz target: the reply parser of the memcached client
// (workbook::memcached::ReplyParser), which reads whatever the server sends,
// and check_key, which guards what the client sends. Checked: no crash, the
// same replies and the same verdict however the bytes are cut, and that a
// key check_key lets through is one the text protocol can carry.
#include <stdexcept>

#include "fuzz.hpp"
#include "workbook/memcached_protocol.hpp"

namespace {

std::string read_all(const std::vector<std::string_view>& pieces) {
    workbook::memcached::ReplyParser parser;
    std::vector<workbook::memcached::Reply> replies;
    std::string seen;
    for (const auto piece : pieces) {
        if (const auto why = parser.feed(piece, replies); !why.empty()) {
            seen = "error: " + why + "\n";
            break;
        }
    }
    for (const auto& r : replies) {
        for (const auto& [key, item] : r.items)
            seen += "VALUE " + key + " " + std::to_string(item.flags) + " " + item.value + "\n";
        seen += r.line + "\n";
    }
    return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::read_input(data, size);
    fuzz::same_in_pieces(input, read_all, "the replies differ when the bytes come in pieces");

    // The first line as a key: accepted only if the protocol can carry it.
    const auto key = input.bytes.substr(0, input.bytes.find('\n'));
    bool accepted = true;
    try {
        workbook::memcached::check_key(key);
    } catch (const std::invalid_argument&) {
        accepted = false;
    }
    if (accepted) {
        bool carried = !key.empty() && key.size() <= 250;
        for (const unsigned char c : key) carried = carried && c > ' ' && c != 127;
        fuzz::check(carried, "check_key let through a key the text protocol cannot carry",
                    std::string(key));
    }
    return 0;
}
