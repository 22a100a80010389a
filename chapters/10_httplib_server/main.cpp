// Chapter 10: the same server with cpp-httplib. The talk's sanic slide.
//
// The idea: a thread-pool server runs each connection on a worker thread,
// with plain blocking handlers. Simple to write, but a worker belongs to its
// connection for as long as that connection lives, idle keep-alive time
// included: the pool's size is how many clients it can hold, not how many
// requests it can serve at once.
//
// Python (the talk):  app = Sanic()   (since Sanic 20.12 a name is required: Sanic("hello"))
//                     @app.route('/')
//                     async def test(request): return json({'message': 'Hello World'})
// C++ (here):         httplib::Server server;
//                     server.Get("/", [](const Request&, Response& res) { res.set_content(...); });
//                     server.listen("127.0.0.1", 8080);
//
// Run it: ./workbook run 10                 the tour and the two lessons, then it stops
//         build/release/chapter10 --serve   serves on port 8080 until Ctrl-C
#include <httplib.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "background.hpp"
#include "exercise.hpp"
#include "workbook/http_server.hpp"
#include "workbook/report.hpp"
#include "workbook/server_tour.hpp"
#include "workbook/timing.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

httplib::Client client_for(int port) {
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);  // only the server's setting differs below
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(5, 0);
    return client;
}

void tour() {
    httplib::Server server;
    chapter10::configure(server);
    chapter10::Background running(server);
    std::cout << "cpp-httplib serving on http://127.0.0.1:" << running.port
              << "/ with a pool of 8 worker threads\n";
    auto client = client_for(running.port);
    workbook::server_tour(client, std::cout);
}

// Lesson 1: one kept-alive client asks again and again for half a second. cpp-httplib
// writes a response's head and body in two writes; without TCP_NODELAY the
// kernel holds the body back (Nagle's algorithm) until the client ACKs the
// head, and the client delays that ACK hoping to piggyback it (Linux: 40 ms
// at least). Not every request waits: cpp-httplib closes a connection after
// 5 requests, the first on a new one is ACKed at once, and the fifth's body
// leaves with the close; the README works out the figure.
double requests_per_second(bool tcp_nodelay) {
    httplib::Server server;
    chapter10::configure(server, 8, tcp_nodelay);
    chapter10::Background running(server);
    auto client = client_for(running.port);
    int answered = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < 0.5) {
        if (!client.Get("/")) throw std::runtime_error("the server stopped answering");
        ++answered;
    }
    return answered / seconds_since(start);
}

// Lesson 2: 8 clients that asked once and keep their connection open hold
// all 8 workers; does a ninth, fresh client get an answer within 1 s?
// `port` is a server already running.
std::string fresh_client_while_idle(int port, int idle_clients) {
    std::vector<std::unique_ptr<httplib::Client>> idle;
    for (int i = 0; i < idle_clients; ++i) {
        idle.push_back(std::make_unique<httplib::Client>(client_for(port)));
        if (!idle.back()->Get("/")) throw std::runtime_error("an idle client got no answer");
    }
    httplib::Client fresh("127.0.0.1", port);
    fresh.set_connection_timeout(1, 0);
    fresh.set_read_timeout(1, 0);
    const auto start = Clock::now();
    const auto result = fresh.Get("/");
    const auto elapsed = Clock::now() - start;
    if (!result) return "no answer within 1 s (" + httplib::to_string(result.error()) + ")";
    return "answered " + std::to_string(result->status) + " in " +
           workbook::milliseconds_text(elapsed);
}

int run_demo() {
    workbook::Stopwatch stopwatch;
    tour();

    std::cout << "\nLesson 1: one keep-alive client, one request after another for 0.5 s\n";
    const double without = requests_per_second(false);
    const double with = requests_per_second(true);
    std::cout << "  TCP_NODELAY off (cpp-httplib's default): " << static_cast<long>(without)
              << " requests/s\n"
              << "  TCP_NODELAY on  (server.set_tcp_nodelay(true)): " << static_cast<long>(with)
              << " requests/s, " << static_cast<long>(with / without) << " times as many\n";

    std::cout << "\nLesson 2: 8 keep-alive clients that asked once and stay connected\n";
    {
        httplib::Server server;
        chapter10::configure(server);
        chapter10::Background running(server);
        std::cout << "  cpp-httplib, 8 workers: a fresh client: "
                  << fresh_client_while_idle(running.port, 8) << "\n";
    }
    {
        // The chapter 09 server layer, one thread, a handler of two lines.
        asio::io_context loop(1);
        workbook::http::Server server(
            loop.get_executor(),
            [](const workbook::http::Request&) -> asio::awaitable<workbook::http::Response> {
                workbook::http::Response response;
                response.body = R"({"message":"Hello World"})";
                co_return response;
            });
        const int port = server.listen("127.0.0.1", 0);
        std::thread thread([&] { loop.run(); });
        std::string outcome;
        try {
            outcome = fresh_client_while_idle(port, 8);
        } catch (...) {
            asio::post(loop, [&] { server.stop(); });
            thread.join();
            throw;
        }
        asio::post(loop, [&] { server.stop(); });
        thread.join();
        std::cout << "  Asio (chapter 09), 1 thread:  a fresh client: " << outcome << "\n";
    }
    std::cout << "  (cpp-httplib frees a worker when its idle connection times out: "
                 "5 s by default, set_keep_alive_timeout)\n";
    std::cout << workbook::timing_line(stopwatch.elapsed()) << "\n";
    std::cout << "To serve until Ctrl-C and try it with curl: build/release/chapter10 --serve\n";
    return 0;
}

httplib::Server* serving = nullptr;  // for the signal handler

int serve(int port) {
    httplib::Server server;
    chapter10::configure(server);
    serving = &server;
    // stop() only sets a flag and shuts the listening socket: safe enough
    // from a signal handler for a demo; the accept loop then returns.
    std::signal(SIGINT, [](int) { serving->stop(); });
    std::signal(SIGTERM, [](int) { serving->stop(); });
    std::cout << "cpp-httplib serving on http://127.0.0.1:" << port
              << "/ with 8 worker threads. Try: curl -i http://127.0.0.1:" << port
              << "/hello/Ana  (Ctrl-C stops it)" << std::endl;  // now, for a reader through a pipe
    if (!server.listen("127.0.0.1", port)) {
        std::cerr << "cannot listen on 127.0.0.1:" << port << " (in use? --port N picks another)\n";
        return 1;
    }
    std::cout << "Stopped.\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return workbook::guarded_main([&] {
        int port = 8080;
        bool serve_forever = false;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--serve") {
                serve_forever = true;
            } else if (arg == "--port" && i + 1 < argc) {
                port = std::stoi(argv[++i]);
            } else {
                throw std::invalid_argument("unknown argument \"" + arg +
                                            "\"; usage: chapter10 [--serve] [--port N]");
            }
        }
        return serve_forever ? serve(port) : run_demo();
    });
}
