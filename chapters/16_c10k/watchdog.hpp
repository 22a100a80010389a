// Chapter 16, given: an idle watchdog for one connection, the cheap way.
//
// The obvious idle timeout races each wait for bytes against a timer:
// co_await (socket.async_wait(...) || timer.async_wait(...)). It works, and
// it costs: a parallel group and two more coroutine frames per waiting
// connection (about 2 KB each, ./workbook bench c10k measured: 4.4 KB a
// held connection instead of 2.2), and a timer moved at every request.
//
// This one is a single timer that is not moved when bytes come: activity()
// only notes the time. When the timer fires, it closes the socket if the
// connection has been silent for the whole timeout (whatever the
// connection's coroutine waits on then fails at once), and otherwise sleeps
// until the new end of the timeout. Its state is shared with the timer's
// handler, which may run after the coroutine has ended.
//
//   Watchdog idle(socket, idle_timeout);    // watching from here
//   ... co_await socket.async_wait(...);    // fails once idle closes the socket
//   idle.activity();                        // bytes came
//                                           // ~Watchdog: stops watching
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace chapter16 {

class Watchdog {
  public:
    using Clock = std::chrono::steady_clock;

    Watchdog(asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout)
        : state_(std::make_shared<State>(socket, timeout)) {
        wait(state_);
    }
    ~Watchdog() {
        state_->socket = nullptr;  // a handler already queued finds nothing to close
        state_->timer.cancel();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // Bytes came: the silence starts again from now.
    void activity() { state_->last = Clock::now(); }

  private:
    struct State {
        State(asio::ip::tcp::socket& s, std::chrono::milliseconds t)
            : socket(&s), timer(s.get_executor()), timeout(t) {}
        asio::ip::tcp::socket* socket;
        asio::steady_timer timer;
        std::chrono::milliseconds timeout;
        Clock::time_point last = Clock::now();
    };

    static void wait(const std::shared_ptr<State>& state) {
        state->timer.expires_at(state->last + state->timeout);
        state->timer.async_wait([state](std::error_code ec) {
            if (ec || !state->socket) return;
            if (Clock::now() - state->last < state->timeout)
                return wait(state);  // not silent enough
            std::error_code ignored;
            state->socket->close(ignored);
        });
    }

    std::shared_ptr<State> state_;
};

}  // namespace chapter16
