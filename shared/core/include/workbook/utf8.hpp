// Is this text UTF-8? Bytes from the network are bytes: a path's %E9 is the
// byte 0xE9 (é in Latin-1), which UTF-8 and so JSON cannot carry. A server
// that builds JSON from a request's bytes asks here first, and answers 400
// naming the bytes instead of throwing half-way through the answer.
#pragma once

#include <string>
#include <string_view>

namespace workbook {

// "" when `text` is well-formed UTF-8 (RFC 3629: no overlong encoding, no
// surrogate, nothing above U+10FFFF); otherwise what is wrong and where:
// "byte 0xE9 at offset 6 starts a 3-byte sequence that ends after 1".
std::string utf8_problem(std::string_view text);

}  // namespace workbook
