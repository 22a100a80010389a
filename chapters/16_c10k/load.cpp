// Chapter 16, given: the load tool (load.hpp), one thread and Asio, like
// the server it measures.
#include "load.hpp"

#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "workbook/async_semaphore.hpp"
#include "workbook/limits.hpp"
#include "workbook/nothrow.hpp"

namespace chapter16 {

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using workbook::nothrow;

// VmRSS of a process, in KiB; -1 if it cannot be read.
long long resident_kb(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            long long kb = -1;
            status >> kb;
            return kb;
        }
        status.ignore(4096, '\n');
    }
    return -1;
}

// User and system CPU of a process, all its threads, in microseconds; -1 if
// it cannot be read. The scheduler's own count, in nanoseconds, is the
// first field of /proc/PID/task/TID/schedstat; where the kernel keeps none,
// /proc/PID/stat's, in clock ticks (usually 10 ms: a run of half a second
// is then known to within a few per cent only).
double cpu_us(int pid) {
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    double ns = 0;
    bool counted = false;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream schedstat(task.path() / "schedstat");
        double runtime = 0;
        if (!(schedstat >> runtime)) {
            counted = false;
            break;
        }
        ns += runtime;
        counted = true;
    }
    if (counted) return ns / 1000;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoll(field);
        if (i == 15) stime = std::stoll(field);
    }
    return static_cast<double>(utime + stime) * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Reads one response: its head, then Content-Length bytes of body.
asio::awaitable<bool> read_response(tcp::socket& socket) {
    std::string data;
    char buffer[2048];
    std::size_t need = std::string::npos;  // head + body, once the head is in
    while (need == std::string::npos || data.size() < need) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), nothrow);
        if (ec) co_return false;
        data.append(buffer, n);
        if (need != std::string::npos) continue;
        const auto head_end = data.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        std::string head = data.substr(0, head_end);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto at = head.find("\r\ncontent-length:");
        const std::size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
        need = head_end + 4 + length;
    }
    co_return data.rfind("HTTP/1.1 200", 0) == 0 || data.rfind("HTTP/1.0 200", 0) == 0;
}

struct Burst {
    explicit Burst(asio::io_context& loop, const LoadOptions& o)
        : options(o), connecting(static_cast<std::size_t>(o.connecting_at_once)), deadline(loop) {}
    const LoadOptions& options;
    workbook::AsyncSemaphore connecting;
    asio::steady_timer deadline;
    std::vector<std::unique_ptr<tcp::socket>> sockets;  // all held until the end
    int opened = 0, answered = 0, finished = 0;
    Clock::time_point start, last_answer;
    std::string first_error;
    std::string request;

    void fail(const std::string& why) {
        if (first_error.empty()) first_error = why;
    }
};

asio::awaitable<void> one_connection(Burst& burst, tcp::endpoint server, tcp::socket& socket) {
    {
        auto slot = co_await burst.connecting.acquire();
        auto [ec] = co_await socket.async_connect(server, nothrow);
        if (ec) {
            burst.fail("connect: " + ec.message());
            co_return;
        }
    }
    ++burst.opened;
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(burst.request), nothrow);
    if (ec) {
        burst.fail("write: " + ec.message());
        co_return;
    }
    if (co_await read_response(socket)) {
        ++burst.answered;
        burst.last_answer = Clock::now();
    } else {
        burst.fail("no whole 200 answer (closed, reset, or timed out)");
    }
}

// A fresh client's round trip, in ms, or -1 when no answer came within 1 s.
double fresh_client(asio::io_context& loop, tcp::endpoint server, const std::string& request) {
    tcp::socket socket(loop);
    asio::steady_timer limit(loop, std::chrono::seconds(1));
    limit.async_wait([&](std::error_code ec) {
        if (!ec) socket.close();
    });
    double ms = -1;
    const auto start = Clock::now();
    asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<void> {
            auto [ec] = co_await socket.async_connect(server, nothrow);
            if (ec) co_return;
            auto [wec, n] = co_await asio::async_write(socket, asio::buffer(request), nothrow);
            if (wec) co_return;
            if (co_await read_response(socket))
                ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            limit.cancel();
        },
        asio::detached);
    loop.restart();
    loop.run();
    return ms;
}

}  // namespace

LoadReport hold_connections(const LoadOptions& options) {
    const long limit = workbook::raise_open_file_limit();
    const long needed = options.connections + 64L;
    if (limit < needed) {
        throw std::runtime_error(
            std::to_string(options.connections) + " connections need about " +
            std::to_string(needed) + " open files in this process, and it may have " +
            std::to_string(limit) +
            " (its soft limit, raised to the hard limit): ask for fewer (--connections), or "
            "raise the hard limit (ulimit -Hn as root, or nofile in "
            "/etc/security/limits.conf)");
    }
    asio::io_context loop(1);
    tcp::resolver resolver(loop);
    const tcp::endpoint server =
        *resolver.resolve(options.host, std::to_string(options.port)).begin();

    Burst burst(loop, options);
    burst.request = "GET " + options.path + " HTTP/1.1\r\nHost: " + options.host + "\r\n\r\n";
    const long long rss_before = options.server_pid ? resident_kb(options.server_pid) : -1;
    const double cpu_before = options.server_pid ? cpu_us(options.server_pid) : -1;

    burst.start = burst.last_answer = Clock::now();
    burst.deadline.expires_after(options.timeout);
    burst.deadline.async_wait([&](std::error_code ec) {
        if (ec) return;  // all finished in time
        for (auto& s : burst.sockets) {
            std::error_code ignored;
            s->cancel(ignored);  // unanswered ones fail now; answered ones are idle anyway
        }
    });
    burst.sockets.reserve(static_cast<std::size_t>(options.connections));
    for (int i = 0; i < options.connections; ++i) {
        auto& socket = *burst.sockets.emplace_back(std::make_unique<tcp::socket>(loop));
        asio::co_spawn(loop, one_connection(burst, server, socket), [&](std::exception_ptr e) {
            if (e) burst.fail("the load tool's own error");
            if (++burst.finished == options.connections) burst.deadline.cancel();
        });
    }
    loop.run();

    LoadReport report;
    report.connections = options.connections;
    report.opened = burst.opened;
    report.answered = burst.answered;
    report.seconds = std::chrono::duration<double>(burst.last_answer - burst.start).count();
    report.first_error = burst.first_error;
    if (options.server_pid && rss_before >= 0 && report.opened > 0) {
        const long long rss_after = resident_kb(options.server_pid);
        report.kb_per_conn = static_cast<double>(rss_after - rss_before) / report.opened;
        if (report.answered > 0)
            report.cpu_us_per_request = (cpu_us(options.server_pid) - cpu_before) / report.answered;
    }
    if (options.while_held) options.while_held();
    report.fresh_ms = fresh_client(loop, server, burst.request);
    return report;  // the sockets close as burst goes
}

std::string describe(const LoadReport& r) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(2);
    out << r.connections << " connections: " << r.opened << " opened, " << r.answered
        << " answered in " << r.seconds << " s";
    if (r.kb_per_conn >= 0) {
        out.precision(1);
        out << ", " << r.kb_per_conn << " KB of server memory per connection";
    }
    if (r.cpu_us_per_request >= 0) {
        out.precision(0);
        out << ", " << r.cpu_us_per_request << " us of server CPU per request";
    }
    out.precision(2);
    if (r.fresh_ms >= 0)
        out << "; a fresh client answered in " << r.fresh_ms << " ms";
    else
        out << "; a fresh client got no answer within 1 s";
    if (r.answered < r.connections && !r.first_error.empty())
        out << " (first failure: " << r.first_error << ")";
    return out.str();
}

}  // namespace chapter16
