// Fuzz target: the server's request parser (workbook::http::RequestParser),
// which reads whatever a client sends. Checked: no crash, no read out of
// bounds, feed() never claims more bytes than it was given, every verdict
// is one the server can answer (400, 413, 431, 501), limits hold, and the
// requests read are the same however the bytes are cut.
#include "fuzz.hpp"
#include "workbook/http_parser.hpp"

namespace {

using workbook::http::RequestParser;

constexpr RequestParser::Limits limits{.max_header_bytes = 2048, .max_body_bytes = 4096};

// Everything the parser read from `pieces`, as text to compare, and the
// status it refused the rest with (0: none).
struct Seen {
    std::string requests;
    int error = 0;
};

Seen read_all(const std::vector<std::string_view>& pieces) {
    RequestParser parser(limits);
    std::string seen;
    for (std::string_view piece : pieces) {
        while (!piece.empty()) {
            std::size_t used = 0;
            const auto result = parser.feed(piece, used);
            fuzz::check(used <= piece.size(), "feed() used more bytes than it was given");
            if (result == RequestParser::Result::error) {
                const int status = parser.error_status();
                fuzz::check(status == 400 || status == 413 || status == 431 || status == 501,
                            "an error status the server does not answer with",
                            std::to_string(status));
                return {seen, status};
            }
            if (result == RequestParser::Result::more) {
                fuzz::check(used == piece.size(), "more bytes needed, but not all were read");
                break;
            }
            auto request = parser.take();
            fuzz::check(request.body.size() <= limits.max_body_bytes, "a body over the limit");
            // A path starts with '/', but for "OPTIONS *" (asterisk-form).
            const bool asterisk = request.method == "OPTIONS" && request.path == "*";
            fuzz::check(!request.method.empty() && !request.path.empty() &&
                            (request.path.front() == '/' || asterisk),
                        "a request without a method, or its path does not start with /",
                        request.method + " " + request.target + " -> " + request.path);
            seen += request.method + " " + request.target + " -> " + request.path + " ? " +
                    request.query + (request.keep_alive ? " keep-alive" : " close") + "\n";
            for (const auto& h : request.headers) seen += "  " + h.name + ": " + h.value + "\n";
            seen += "  body " + std::to_string(request.body.size()) + ": " + request.body + "\n";
            piece.remove_prefix(used);
        }
    }
    return {seen, 0};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::read_input(data, size);
    const auto whole = read_all({input.bytes});
    const auto pieces = read_all(fuzz::cut(input.bytes, input.piece));
    // One allowance: a head that is both over the limit and broken near it
    // may get either 431 or 400, since llhttp hands a header over (and so it
    // is counted) at its end, or at the end of a piece.
    const bool same_error =
        whole.error == pieces.error ||
        (whole.error != 0 && pieces.error != 0 && (whole.error == 431 || pieces.error == 431));
    fuzz::check(whole.requests == pieces.requests && same_error,
                "the requests differ when the bytes come in pieces",
                "whole:\n" + whole.requests + "error " + std::to_string(whole.error) +
                    "\nin pieces of " + std::to_string(input.piece) + ":\n" + pieces.requests +
                    "error " + std::to_string(pieces.error));
    return 0;
}
