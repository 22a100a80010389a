// The addresses of host:port for a client to connect to. Shared by the HTTP,
// Redis and memcached clients.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace workbook {

// An IP literal ("127.0.0.1", "::1") as it is, without a lookup; a name
// through Asio's resolver, whose getaddrinfo blocks and so runs on a helper
// thread of Asio's (which is why a client resolves once, not per
// connection). Throws TransportError(Failure::resolve) naming the host.
asio::awaitable<std::vector<asio::ip::tcp::endpoint>> resolve_endpoints(
    asio::any_io_executor executor, std::string host, unsigned short port);

// "host:port", or "host" alone for `default_port`: the two parts. Throws
// std::invalid_argument saying "has no host" or "has no valid port"; each
// caller puts that into its own message.
std::pair<std::string, unsigned short> split_host_port(std::string_view text,
                                                       unsigned short default_port);

}  // namespace workbook
