// Fuzz target: the client's response parser (workbook::http::ResponseParser),
// which reads whatever a server sends. Checked: no crash, no read out of
// bounds, the body cap holds, and the verdict (complete or not, an error or
// not, the status, headers and body) is the same however the bytes are cut.
#include "fuzz.hpp"
#include "workbook/http_parser.hpp"

namespace {

constexpr std::size_t max_body = 4096;
constexpr std::size_t max_head = 2048;

std::string read_all(const std::vector<std::string_view>& pieces) {
    workbook::http::ResponseParser parser(max_body, max_head);
    std::string error;
    for (const auto piece : pieces) {
        error = parser.feed(piece);
        if (!error.empty() || parser.complete()) break;
    }
    // The connection ends: a body framed by its end is complete now.
    if (error.empty() && !parser.complete()) parser.finish();
    if (!error.empty()) return "error\n";  // the words may name where it stopped
    std::string seen = parser.complete() ? "complete" : "incomplete";
    if (parser.too_large()) seen += " too large";
    if (!parser.complete()) return seen + "\n";
    auto response = parser.take();
    fuzz::check(response.body.size() <= max_body, "a body over the cap was kept");
    // (Not keep_alive(): bytes after the response in the same read make it
    // false, and where the reads end is exactly what differs here.)
    seen += " " + std::to_string(response.status) + "\n";
    for (const auto& h : response.headers) seen += "  " + h.name + ": " + h.value + "\n";
    return seen + "  body: " + response.body + "\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::read_input(data, size);
    fuzz::same_in_pieces(input, read_all, "the response differs when the bytes come in pieces");
    return 0;
}
