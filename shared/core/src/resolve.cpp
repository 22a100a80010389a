#include "workbook/resolve.hpp"

#include <charconv>
#include <stdexcept>

#include "workbook/nothrow.hpp"
#include "workbook/transport_error.hpp"

namespace workbook {

asio::awaitable<std::vector<asio::ip::tcp::endpoint>> resolve_endpoints(
    asio::any_io_executor executor, std::string host, unsigned short port) {
    std::vector<asio::ip::tcp::endpoint> endpoints;
    std::error_code ec;
    if (const auto ip = asio::ip::make_address(host, ec); !ec) {
        endpoints.emplace_back(ip, port);
        co_return endpoints;
    }
    asio::ip::tcp::resolver resolver(executor);
    auto [error, results] = co_await resolver.async_resolve(host, std::to_string(port), nothrow);
    if (error)
        throw TransportError(Failure::resolve, "cannot resolve " + host + ": " + error.message());
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    co_return endpoints;
}

std::pair<std::string, unsigned short> split_host_port(std::string_view text,
                                                       unsigned short default_port) {
    // The last colon: "[::1]:6379" keeps its brackets, a plain IPv6 address
    // needs them (as in a URL).
    const auto colon = text.rfind(':');
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty()) throw std::invalid_argument("has no host");
    unsigned port = default_port;
    if (colon != std::string_view::npos) {
        const auto digits = text.substr(colon + 1);
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (error != std::errc() || end != digits.data() + digits.size() || port == 0 ||
            port > 65535)
            throw std::invalid_argument("has no valid port");
    }
    return {host, static_cast<unsigned short>(port)};
}

}  // namespace workbook
