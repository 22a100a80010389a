// Chapter 16 exercise: your file. Make `./workbook check 16` green.
//
// Live (TODO 16.1), then serve_connection (TODO 16.2) with it.
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 16`.
#include "exercise.hpp"

#include "workbook/todo.hpp"

namespace chapter16 {

Live::Live(std::size_t& count) : count_(count) {
    // TODO(16.1): one more connection.
    workbook::todo("16.1");
}

Live::~Live() {
    // TODO(16.1): one fewer. (A destructor must not throw: nothing to do
    // here until the constructor works.)
}

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket,
                                       std::chrono::milliseconds idle_timeout,
                                       std::string_view response, std::size_t& live) {
    // TODO(16.2): a Live on `live`; then read, answer, repeat, until the
    // client leaves or stays silent for idle_timeout.
    (void)socket, (void)idle_timeout, (void)response, (void)live;
    workbook::todo("16.2");
    co_return;  // never reached
}

}  // namespace chapter16
