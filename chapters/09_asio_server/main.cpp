// Chapter 09: an HTTP server on the event loop. The talk's aiohttp slide.
//
// The idea: a server on one thread holds many clients at once because each
// connection is a coroutine, not a thread. While one waits for its client's
// next bytes (or for a database, or a timer), the loop runs the others. The
// server is this chapter's (server.hpp, server.cpp: a listener coroutine and
// a session coroutine per connection); the exercise decides what each
// request gets: the routes.
//
// Python (the talk):  app = web.Application()
//                     app.router.add_get('/', handle)
//                     web.run_app(app, host='127.0.0.1', port=8080)
// C++ (here):         chapter09::Server server(loop.get_executor(), handler);
//                     server.listen("127.0.0.1", 8080);
//                     loop.run();
//
// Run it: ./workbook run 09                 a tour: it asks itself, then stops
//         build/release/chapter09 --serve   serves on port 8080 until Ctrl-C
#include <httplib.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <iostream>
#include <string>
#include <thread>

#include "exercise.hpp"
#include "server.hpp"
#include "workbook/limits.hpp"
#include "workbook/report.hpp"
#include "workbook/server_tour.hpp"
#include "workbook/step.hpp"

namespace {

struct Settings {
    bool serve = false;
    unsigned short port = 0;  // the tour takes any free port; --serve 8080
    std::string program;      // this program's path as it was started, to say how to serve
};

Settings read_arguments(int argc, char** argv) {
    Settings settings;
    settings.program = argc > 0 ? argv[0] : "chapter09";
    bool port_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--serve") {
            settings.serve = true;
        } else if (arg == "--port" && i + 1 < argc) {
            settings.port = static_cast<unsigned short>(std::stoi(argv[++i]));
            port_given = true;
        } else {
            throw std::invalid_argument("unknown argument \"" + arg +
                                        "\"; usage: chapter09 [--serve] [--port N]");
        }
    }
    if (settings.serve && !port_given) settings.port = 8080;
    return settings;
}

// The tour: a client on a thread of its own (as curl in another terminal
// would be) asks the server what an attendee would try.
void tour(unsigned short port, const chapter09::Server& server) {
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    client.set_read_timeout(5, 0);
    std::cout << "A client on another thread asks it, on one kept-alive connection:\n";
    workbook::server_tour(client, std::cout);
    std::cout << "Connections the server holds open now: " << server.connections()
              << " (keep-alive: six requests, one connection)\n";
}

int serve(const Settings& settings) {
    // Every connection is an open file: the usual soft limit of 1,024 would
    // refuse the 1,025th client. Raise it to the hard limit, as servers do.
    workbook::raise_open_file_limit();
    asio::io_context loop(1);  // one thread runs the server and every connection
    const std::vector<chapter09::Route> routes = chapter09::hello_routes();

    workbook::step("server");
    // [slide:server]
    chapter09::ServerOptions options;
    options.log = [](std::string_view what) { std::cerr << "server: " << what << "\n"; };
    chapter09::Server server(
        loop.get_executor(),
        [&routes](const chapter09::Request& request) {
            return chapter09::dispatch(routes, request);
        },
        options);
    const unsigned short port = server.listen("127.0.0.1", settings.port);

    // Ctrl-C: stop accepting, let requests in progress finish, then end.
    asio::signal_set signals(loop, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code ec, int) {
        if (ec) return;  // cancelled: the tour stopped the server itself
        std::cout << "\nStopping: " << server.connections()
                  << " connection(s) open; requests in progress get up to 2 s to finish\n";
        server.stop();
    });
    // [/slide]

    std::cout << "Serving on http://127.0.0.1:" << port << "/ on one thread\n";
    if (settings.serve) {
        // Flushed: whoever reads this through a pipe (a script, a test) learns the port now.
        std::cout << "Try: curl -i http://127.0.0.1:" << port << "/hello/Ana  (Ctrl-C stops it)"
                  << std::endl;
        loop.run();
        std::cout << "Stopped.\n";
        return 0;
    }
    std::thread client([&] {
        tour(port, server);
        asio::post(loop, [&] {
            std::cout << "The tour is over: server.stop(), as Ctrl-C would ("
                      << server.connections() << " connection(s) open)\n";
            signals.cancel();
            server.stop();
        });
    });
    loop.run();  // returns once the server has stopped: nothing is left to wait for
    client.join();
    // No "Execution time" here: a server's worth is not how soon its demo ends.
    std::cout << "To serve until Ctrl-C and try it with curl: " << settings.program << " --serve\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return workbook::guarded_main([&] { return serve(read_arguments(argc, argv)); });
}
