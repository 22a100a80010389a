// The floor of the bench: the least a client can do to fetch N repositories
// at once over HTTP/1.1 on one thread. Connect, write one request, read until
// the server closes, look at the status line; no connection pool, no TLS, no
// response parser, no JSON. What the workbook's own client costs is read as a
// ratio to this, measured side by side against the same stand-in.
#pragma once

#include <string>
#include <vector>

#include "workbook/github.hpp"

namespace bench {

// One request per name, all in flight at once; the number that did not
// answer 200. Plain HTTP only: the floor has no TLS.
std::size_t floor_fetch_all(const workbook::ApiConfig& api, const std::vector<std::string>& names);

}  // namespace bench
