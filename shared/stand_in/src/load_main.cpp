// workbook-load: opens N connections to the stand-in at once, each asking
// for one repository, all from one thread, and prints how many the stand-in
// held in flight at the same moment (from its own statistics, not a guess).
// `./workbook load` runs it against a stand-in started with a long latency.
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "workbook/limits.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/stand_in_stats.hpp"

using asio::ip::tcp;
using workbook::nothrow;

struct Tally {
    long ok = 0;
    std::map<std::string, long> failures;  // what went wrong -> how often
};

// One HTTP/1.0-style exchange: send, read until the server closes.
asio::awaitable<std::string> exchange(tcp::endpoint to, std::string request, std::string& error) {
    tcp::socket socket(co_await asio::this_coro::executor);
    if (auto [ec] = co_await socket.async_connect(to, nothrow); ec) {
        error = "connect: " + ec.message();
        co_return "";
    }
    if (auto [ec, n] = co_await asio::async_write(socket, asio::buffer(request), nothrow); ec) {
        error = "write: " + ec.message();
        co_return "";
    }
    std::string response;
    auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(response), nothrow);
    if (ec != asio::error::eof) error = "read: " + ec.message();
    co_return response;
}

std::string get(const std::string& method, const std::string& target) {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

asio::awaitable<void> one(tcp::endpoint to, int i, Tally& tally) {
    std::string error;
    const auto response =
        co_await exchange(to, get("GET", "/repos/workbook-bench/repo-" + std::to_string(i)), error);
    if (error.empty() && response.rfind("HTTP/1.1 200", 0) == 0) {
        ++tally.ok;
    } else {
        ++tally.failures[error.empty() ? response.substr(0, response.find('\r')) : error];
    }
}

int main(int argc, char** argv) {
    long port = 0, connections = 10'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--port")
            port = std::atol(argv[i + 1]);
        else if (flag == "--connections")
            connections = std::atol(argv[i + 1]);
        else {
            std::cerr << "usage: workbook-load --port P [--connections N]\n";
            return 2;
        }
    }
    if (port <= 0 || connections <= 0) {
        std::cerr << "usage: workbook-load --port P [--connections N]\n";
        return 2;
    }
    const long files = workbook::raise_open_file_limit();
    if (files < connections + 50) {
        std::cerr << "workbook-load: this process may open " << files << " files, too few for "
                  << connections << " connections; lower --connections or raise `ulimit -n`\n";
        return 1;
    }
    asio::io_context loop(1);
    const tcp::endpoint to(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    Tally tally;
    std::string stats_body, error;

    const auto started = std::chrono::steady_clock::now();
    asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<void> {
            co_await exchange(to, get("POST", "/_stats/reset"), error);
            if (!error.empty()) {
                std::cerr << "workbook-load: cannot reach the stand-in on port " << port << ": "
                          << error << "\n";
                co_return;
            }
            for (long i = 0; i < connections; ++i)
                asio::co_spawn(loop, one(to, static_cast<int>(i), tally), asio::detached);
        },
        asio::detached);
    loop.run();  // returns when every connection has its answer
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!error.empty()) return 1;

    asio::io_context again(1);
    asio::co_spawn(
        again,
        [&]() -> asio::awaitable<void> {
            stats_body = co_await exchange(to, get("GET", "/_stats"), error);
        },
        asio::detached);
    again.run();
    try {
        const auto body = stats_body.substr(stats_body.find("\r\n\r\n") + 4);
        const auto stats = workbook::stats_from_json(body);
        std::cout << "connections: " << connections << "\n"
                  << "answered 200: " << tally.ok << "\n";
        for (const auto& [what, count] : tally.failures)
            std::cout << "failed (" << what << "): " << count << "\n";
        std::cout << "wall time: " << seconds << " s\n"
                  << "stand-in: requests " << stats.requests << ", most in flight at once "
                  << stats.max_in_flight << "\n";
        return tally.ok == connections ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "workbook-load: cannot read the stand-in's statistics: " << e.what() << "\n";
        return 1;
    }
}
