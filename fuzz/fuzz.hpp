// What every fuzz target shares: the entry point libFuzzer calls, a check
// that stops the run with what was wrong, and the cutting of an input into
// the pieces a socket might deliver.
//
// Each target feeds a parser the same bytes twice: whole, and cut into
// pieces. A parser of network bytes must not care where the reads end, so
// the two must give the same messages and the same verdict. That, and the
// sanitizers (AddressSanitizer and UBSan in the fuzz build), are what a run
// checks; a crash or a failed check leaves the input in build/fuzz/crashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fuzz {

// Stops the run (libFuzzer saves the input) when `ok` is false.
inline void check(bool ok, const char* what, const std::string& detail = {}) {
    if (ok) return;
    std::fprintf(stderr, "fuzz check failed: %s\n%s\n", what, detail.c_str());
    std::abort();
}

// The input's first byte says how long each piece is (1 to 256 bytes); the
// rest is the bytes themselves.
struct Input {
    std::size_t piece = 1;
    std::string_view bytes;
};

inline Input read_input(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return {};
    return {static_cast<std::size_t>(data[0]) + 1,
            std::string_view(reinterpret_cast<const char*>(data + 1), size - 1)};
}

// `bytes` cut into pieces of `piece` bytes (the last one shorter).
inline std::vector<std::string_view> cut(std::string_view bytes, std::size_t piece) {
    std::vector<std::string_view> out;
    for (std::size_t at = 0; at < bytes.size(); at += piece) out.push_back(bytes.substr(at, piece));
    return out;
}

// Reads `input` whole and in its pieces with `read_all` (pieces -> text)
// and stops the run if the two texts differ.
template <class ReadAll>
void same_in_pieces(const Input& input, ReadAll read_all, const char* what) {
    const std::string whole = read_all(std::vector<std::string_view>{input.bytes});
    const std::string pieces = read_all(cut(input.bytes, input.piece));
    check(whole == pieces, what,
          "whole:\n" + whole + "in pieces of " + std::to_string(input.piece) + ":\n" + pieces);
}

}  // namespace fuzz
