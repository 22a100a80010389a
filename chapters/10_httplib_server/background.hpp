// Chapter 10, given: a cpp-httplib server set up as the chapter teaches, and
// run in the background, for the demo and the tests.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <thread>

namespace chapter10 {

// A fixed pool of `workers` threads (cpp-httplib's default is the larger of
// 8 and the number of cores less one), TCP_NODELAY as asked (cpp-httplib's
// own default, CPPHTTPLIB_TCP_NODELAY, is off, and Debian's compiled library
// keeps it), then the exercise's routes and JSON errors.
void configure(httplib::Server& server, std::size_t workers = 8, bool tcp_nodelay = true);

// Listens on 127.0.0.1, a free port, on a thread of its own:
// listen_after_bind() blocks that thread in the accept loop, and the pool's
// workers serve the connections. The destructor stops the server and waits.
class Background {
  public:
    explicit Background(httplib::Server& server);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    int port = 0;

  private:
    httplib::Server& server_;
    std::thread thread_;
};

}  // namespace chapter10
