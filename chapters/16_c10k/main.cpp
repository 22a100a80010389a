// Chapter 16: C10K, ten thousand clients on one thread. Back to the talk's
// first slide.
//
// The idea: in 1999 a server that held 10,000 connections at once was a
// feat (Dan Kegel's "The C10K problem"), because servers gave each client a
// thread or a process. A connection on an event loop costs a socket, a
// suspended coroutine and a timer: a few kilobytes. So one thread holds ten
// thousand, and still answers a newcomer at once.
//
// Python (the talk):  the C10K problem, and why asyncio: one loop, many waits
// C++ (here):         co_spawn(loop, serve_connection(socket, ...)) per accepted socket
//
// Run it: ./workbook run 16                   holds 2,000 connections in this process
//         ./workbook bench c10k               10,000 against each server, memory per connection
//         build/release/chapter16 --serve     serves on port 8080 until Ctrl-C
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "load.hpp"
#include "server.hpp"
#include "workbook/limits.hpp"
#include "workbook/report.hpp"
#include "workbook/step.hpp"
#include "workbook/timing.hpp"

namespace {

using namespace std::chrono_literals;

struct Settings {
    bool serve = false;
    unsigned short port = 0;
    int connections = 2'000;
    std::chrono::milliseconds idle_timeout{2'000};
};

Settings read_arguments(int argc, char** argv) {
    Settings s;
    bool port_given = false, idle_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--serve") {
            s.serve = true;
        } else if (arg == "--port" && has_value) {
            s.port = static_cast<unsigned short>(std::stoi(argv[++i]));
            port_given = true;
        } else if (arg == "--connections" && has_value) {
            s.connections = std::stoi(argv[++i]);
        } else if (arg == "--idle-timeout" && has_value) {
            s.idle_timeout = std::chrono::milliseconds(std::stol(argv[++i]));
            idle_given = true;
        } else {
            throw std::invalid_argument(
                "unknown argument \"" + arg +
                "\"; usage: chapter16 [--connections N] [--idle-timeout MS] | --serve [--port N]");
        }
    }
    if (s.serve && !port_given) s.port = 8080;
    if (s.serve && !idle_given) s.idle_timeout = std::chrono::seconds(60);
    return s;
}

int serve(const Settings& settings) {
    chapter16::Server server({settings.idle_timeout});
    const unsigned short port = server.listen("127.0.0.1", settings.port);
    server.stop_on_signals();
    std::cout << "Serving on http://127.0.0.1:" << port << "/ on one thread (idle timeout "
              << settings.idle_timeout.count() << " ms; Ctrl-C stops it)" << std::endl;
    server.run();
    return 0;
}

// The server's live count once it is `want`, or when `limit` has passed.
std::size_t live_after(chapter16::Server& server, std::size_t want,
                       std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    std::size_t live = server.live();
    while (live != want && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        live = server.live();
    }
    return live;
}

int demo(const Settings& settings) {
    workbook::Stopwatch stopwatch;
    workbook::step("c10k");
    // [slide:c10k]
    chapter16::Server server({settings.idle_timeout});
    const unsigned short port = server.listen("127.0.0.1", 0);
    std::thread loop([&] { server.run(); });  // the server's one thread
    // [/slide]
    std::cout << "A one-thread server on port " << port << "; " << settings.connections
              << " clients connect at once, ask once each, and stay connected\n";
    // Why not the chapter's 10,000 here: both ends of every connection live
    // in this one process, two open files each, and a hard limit of 20,000
    // (a common one) leaves no room for 10,000 pairs.
    const long open_files = workbook::raise_open_file_limit();
    std::cout << "(" << settings.connections
              << ", not 10,000: the clients and the server share this process, two open files a "
                 "connection, and it may open "
              << open_files
              << ". ./workbook bench c10k holds 10,000, the clients in a process of their "
                 "own.)\n";

    chapter16::LoadOptions load;
    load.port = port;
    load.connections = settings.connections;
    load.while_held = [&] {
        std::cout << "  while they are held, the server counts " << server.live()
                  << " live connection(s)\n";
    };
    chapter16::LoadReport report;
    try {
        report = chapter16::hold_connections(load);
    } catch (...) {
        server.stop();
        loop.join();
        throw;
    }
    std::cout << "  " << chapter16::describe(report) << "\n";

    // The clients closed their connections as the load tool ended: the
    // server lets each go as it reads the end of its stream.
    std::cout << "  the clients hung up: the count fell to " << live_after(server, 0, 2s) << "\n";

    // Clients that connect and never say a word go at the idle timeout.
    {
        asio::io_context context;
        std::vector<asio::ip::tcp::socket> silent;
        const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
        for (int i = 0; i < 100; ++i) silent.emplace_back(context).connect(endpoint);
        workbook::Stopwatch waited;
        const std::size_t held = live_after(server, 100, 2s);
        const std::size_t left = live_after(server, 0, settings.idle_timeout + 2s);
        std::cout << "  100 silent clients: counted " << held << ", then " << left << " after "
                  << workbook::milliseconds_text(waited.elapsed()) << " (idle timeout "
                  << settings.idle_timeout.count() << " ms)\n";
    }
    server.stop();
    loop.join();
    std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
    std::cout << "Memory per connection and other servers: ./workbook bench c10k\n";
    return report.answered == report.connections ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return workbook::guarded_main([&] {
        const Settings settings = read_arguments(argc, argv);
        return settings.serve ? serve(settings) : demo(settings);
    });
}
