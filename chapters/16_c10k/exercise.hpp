// Chapter 16 exercise: what one connection costs a one-thread server, and
// when it goes.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <string_view>

namespace chapter16 {

// TODO(16.1): one open connection, counted. While a Live exists, `count` is
// one more than without it: the constructor adds one, the destructor takes
// it back. Being an object, it takes it back however the connection ends:
// its client left, the idle timeout closed it, an exception went through,
// or the server stopped and destroyed the coroutine that held it.
class Live {
  public:
    explicit Live(std::size_t& count);
    ~Live();
    Live(const Live&) = delete;
    Live& operator=(const Live&) = delete;

  private:
    std::size_t& count_;
};

// The most a request head may hold; a longer one ends the connection.
inline constexpr std::size_t max_head_bytes = 8 * 1024;

// TODO(16.2): serve one connection, counted by a Live on `live` for as long
// as this coroutine runs:
//   - read each request up to the blank line that ends its head ("\r\n\r\n";
//     these clients send no body) and answer it with `response`, a whole
//     HTTP response; the connection stays open for the next request
//     (keep-alive), and requests sent back to back are answered in order;
//   - when no byte has come for `idle_timeout` (before the first request or
//     between two), close the socket and return;
//   - a client that hangs up (end of stream, a reset) ends it at once, not
//     at the idle timeout;
//   - a head over max_head_bytes ends it, unanswered.
// Memory is what this chapter is about: a connection that waits holds no
// read buffer (wait with socket.async_wait(wait_read) until bytes are
// there, then read them), what a request leaves is kept only until its
// blank line, and the idle timeout is one timer that is not moved at every
// byte (Watchdog, in watchdog.hpp, given). `./workbook bench c10k`
// measures the bytes per connection.
asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket,
                                       std::chrono::milliseconds idle_timeout,
                                       std::string_view response, std::size_t& live);

}  // namespace chapter16
