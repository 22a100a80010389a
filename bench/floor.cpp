#include "floor.hpp"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <stdexcept>

namespace bench {

namespace {

using asio::ip::tcp;

// One request on a connection of its own. `Connection: close` lets the end
// of the stream mark the end of the response, so nothing is parsed but the
// status line.
asio::awaitable<bool> fetch_one(tcp::endpoint server, std::string request) {
    tcp::socket socket(co_await asio::this_coro::executor);
    auto [connect_error] =
        co_await socket.async_connect(server, asio::experimental::as_tuple(asio::use_awaitable));
    if (connect_error) co_return false;
    auto [write_error, written] = co_await asio::async_write(
        socket, asio::buffer(request), asio::experimental::as_tuple(asio::use_awaitable));
    if (write_error) co_return false;
    std::array<char, 2048> buffer;
    std::string status_line;
    for (;;) {
        auto [read_error, n] = co_await socket.async_read_some(
            asio::buffer(buffer), asio::experimental::as_tuple(asio::use_awaitable));
        if (status_line.size() < 12)
            status_line.append(buffer.data(), std::min<std::size_t>(n, 12));
        if (read_error) break;  // eof: the whole response is in
    }
    co_return status_line.rfind("HTTP/1.1 200", 0) == 0;
}

}  // namespace

std::size_t floor_fetch_all(const workbook::ApiConfig& api, const std::vector<std::string>& names) {
    if (api.scheme != "http")
        throw std::runtime_error("the floor client speaks plain HTTP only, not " + api.scheme);
    asio::io_context loop(1);
    tcp::resolver resolver(loop);
    const tcp::endpoint server = *resolver.resolve(api.host, std::to_string(api.port)).begin();
    std::size_t failed = 0;
    for (const auto& name : names) {
        std::string request =
            "GET " + api.repo_path(name) + " HTTP/1.1\r\nHost: " + api.host + "\r\n";
        if (!api.token.empty()) request += "Authorization: token " + api.token + "\r\n";
        request += "Connection: close\r\n\r\n";
        asio::co_spawn(loop, fetch_one(server, std::move(request)),
                       [&failed](std::exception_ptr e, bool ok) {
                           if (e || !ok) ++failed;
                       });
    }
    loop.run();
    return failed;
}

}  // namespace bench
