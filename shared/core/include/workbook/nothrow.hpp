// `co_await op(..., workbook::nothrow)`: an Asio operation whose error comes
// back as a value, `auto [ec, n] = co_await socket.async_read_some(buf,
// nothrow);`, instead of as a thrown asio::system_error.
//
// Why: on a network, errors are ordinary outcomes (a client hangs up, a
// deadline closes a socket, a server refuses). Code that must decide what
// each one means reads better as `if (ec)` next to the call than as a try
// around it, and a thousand connections that end are not a thousand
// exceptions.
#pragma once

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace workbook {

inline constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace workbook
