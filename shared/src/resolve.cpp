#include "workbook/resolve.hpp"

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
        throw TransportError(Step::resolve, "cannot resolve " + host + ": " + error.message());
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    co_return endpoints;
}

}  // namespace workbook
