// A tiny HTTP server for tests that need a server to misbehave in one exact
// way: close a kept-alive connection without saying so, answer in gzip or in
// an encoding nobody asked for, send a body past the client's cap, redirect,
// or never answer at all. Plain POSIX sockets on 127.0.0.1, port 0, a thread
// per connection: obviously correct beats fast here, and it shares nothing
// with the workbook's own server, so a bug there cannot hide a bug in a client.
//
// A test gives it a function from the request to the reply; the function is
// called from the connection threads, so it must be safe to call from
// several at once (counters: std::atomic).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "workbook/github.hpp"

namespace workbook::testing {

struct SeenRequest {
    std::string head;       // request line and headers, up to the blank line
    std::string target;     // "/repos/owner/name"
    int connection = 0;     // 0 for the first connection accepted, 1 for the next, ...
    int on_connection = 0;  // 0 for the first request on its connection, 1 for the next, ...

    // A header's value, its name matched without regard to case; "" if absent.
    std::string header(std::string_view name) const {
        std::size_t at = head.find("\r\n");
        while (at != std::string::npos && at + 2 < head.size()) {
            const auto end = head.find("\r\n", at + 2);
            const std::string_view line(head.data() + at + 2,
                                        (end == std::string::npos ? head.size() : end) - at - 2);
            const auto colon = line.find(':');
            if (colon == name.size() &&
                std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                })) {
                auto value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                return std::string(value);
            }
            at = end;
        }
        return {};
    }
};

struct Reply {
    std::string bytes;   // written exactly as given
    bool close = false;  // then close the connection, whatever the bytes said about keep-alive
    bool hang = false;   // write nothing, keep the connection open until the server stops
};

// "HTTP/1.1 <status> X\r\nContent-Length: <n>\r\n<extra>\r\n<body>"; `extra`
// is whole header lines, each ending in \r\n.
inline std::string http_response(int status, const std::string& body,
                                 const std::string& extra = {}) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// A repository's JSON, as the stand-in would send it.
inline std::string repo_json(const std::string& full_name) {
    const auto name = full_name.substr(full_name.find('/') + 1);
    return R"({"name": ")" + name + R"(", "full_name": ")" + full_name +
           R"(", "stargazers_count": 42})";
}

class ScriptedServer {
  public:
    explicit ScriptedServer(std::function<Reply(const SeenRequest&)> respond)
        : respond_(std::move(respond)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (listener_ < 0) throw std::runtime_error("socket failed");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listener_, 128) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(listener_);
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        port_ = ntohs(addr.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    ~ScriptedServer() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            // Wakes accept() and every recv(); the threads close their own sockets.
            ::shutdown(listener_, SHUT_RDWR);
            for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
        }
        changed_.notify_all();
        acceptor_.join();
        for (auto& t : connections_) t.join();
        ::close(listener_);
    }
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    unsigned short port() const { return port_; }

    // http://127.0.0.1:<port>, no token.
    ApiConfig api() const {
        ApiConfig api;
        api.port = port_;
        return api;
    }

    std::vector<SeenRequest> requests() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    int connections_accepted() const {
        std::lock_guard lock(mutex_);
        return accepted_;
    }

  private:
    void accept_loop() {
        for (;;) {
            const int fd = ::accept(listener_, nullptr, nullptr);
            std::lock_guard lock(mutex_);
            if (stopping_) {
                if (fd >= 0) ::close(fd);
                return;
            }
            if (fd < 0) continue;
            open_.insert(fd);
            const int number = accepted_++;
            connections_.emplace_back([this, fd, number] { serve(fd, number); });
        }
    }

    void serve(int fd, int number) {
        std::string buffer;
        for (int index = 0;; ++index) {
            std::size_t end;
            while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
                char chunk[4096];
                const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
                if (n <= 0) return finish(fd);
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            SeenRequest request;
            request.head = buffer.substr(0, end);
            buffer.erase(0, end + 4);  // GETs only: no body follows the head
            const auto first_space = request.head.find(' ');
            request.target = request.head.substr(
                first_space + 1, request.head.find(' ', first_space + 1) - first_space - 1);
            request.connection = number;
            request.on_connection = index;
            {
                std::lock_guard lock(mutex_);
                seen_.push_back(request);
            }
            const Reply reply = respond_(request);
            if (reply.hang) {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [this] { return stopping_; });
                lock.unlock();
                return finish(fd);
            }
            std::size_t sent = 0;
            while (sent < reply.bytes.size()) {
                const ssize_t n =
                    ::send(fd, reply.bytes.data() + sent, reply.bytes.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) return finish(fd);
                sent += static_cast<std::size_t>(n);
            }
            if (reply.close) return finish(fd);
        }
    }

    void finish(int fd) {
        std::lock_guard lock(mutex_);
        open_.erase(fd);
        ::close(fd);  // under the lock: the destructor never shuts down a number reused meanwhile
    }

    std::function<Reply(const SeenRequest&)> respond_;
    int listener_ = -1;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    std::set<int> open_;
    std::vector<SeenRequest> seen_;
    int accepted_ = 0;
    std::thread acceptor_;
    std::vector<std::thread> connections_;
};

}  // namespace workbook::testing
