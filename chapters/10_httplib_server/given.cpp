// Chapter 10, given: the server's setup and a thread to run it on.
#include <chrono>
#include <exception>
#include <stdexcept>

#include "background.hpp"
#include "exercise.hpp"
#include "workbook/http_message.hpp"

namespace chapter10 {

void configure(httplib::Server& server, std::size_t workers, bool tcp_nodelay) {
    // A handler that throws: cpp-httplib's own answer is a 500 with no
    // body and the exception's text in a header named EXCEPTION_WHAT. This
    // one answers as chapter 09's server does, in JSON, and the connection
    // serves its next request either way.
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
            std::string what = "an exception that is not a std::exception";
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            const auto answer = workbook::http::handler_threw(what);
            res.status = answer.status;
            res.set_content(answer.body, "application/json; charset=utf-8");
        });
    // Every answer carries its Date, as RFC 9110 (6.6.1) asks of a server
    // with a clock; cpp-httplib 0.11 writes none of its own.
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.has_header("Date"))
            res.set_header("Date", workbook::http::http_date(std::chrono::system_clock::now()));
    });
    // [slide:httplib_server]
    server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    server.set_tcp_nodelay(tcp_nodelay);
    add_routes(server);
    add_json_errors(server);
    // [/slide]
}

Background::Background(httplib::Server& server) : server_(server) {
    port = server_.bind_to_any_port("127.0.0.1");
    if (port < 0) throw std::runtime_error("cpp-httplib could not bind a port on 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): its flag is set as the
    // accept loop starts.
    for (int waited = 0; !server_.is_running(); ++waited) {
        if (waited == 5000) {
            server_.stop();
            thread_.join();
            throw std::runtime_error("cpp-httplib did not start serving within 5 s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

Background::~Background() {
    server_.stop();
    thread_.join();
}

}  // namespace chapter10
