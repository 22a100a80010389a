// A deliberately dumb HTTP client on plain POSIX sockets, for tests that must
// send what no real client would: garbage, a head one byte at a time, two
// requests in one write. Blocking, with a receive timeout so a test fails
// instead of hanging.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "support/eventually.hpp"
#include "support/platform.hpp"

namespace workbook::testing {

class RawConnection {
  public:
    explicit RawConnection(unsigned short port,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
        timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            const std::string why = std::strerror(errno);
            ::close(fd_);
            throw std::runtime_error("connect to port " + std::to_string(port) + ": " + why);
        }
    }
    ~RawConnection() { ::close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // False when the peer has closed the connection (EPIPE/ECONNRESET).
    bool send(const std::string& data) {
        return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(data.size());
    }

    // Everything until the peer closes (or the timeout, which throws).
    std::string read_all() {
        std::string out = std::exchange(buffer_, {});
        for (;;) {
            const auto chunk = read_some();
            if (chunk.empty()) return out;
            out += chunk;
        }
    }

    // One response: head, then Content-Length bytes of body (fewer if the
    // connection ends first). Empty if the connection was closed first.
    std::string read_response() {
        while (buffer_.find("\r\n\r\n") == std::string::npos) {
            const auto chunk = read_some();
            if (chunk.empty()) return std::exchange(buffer_, {});
            buffer_ += chunk;
        }
        const auto head_end = buffer_.find("\r\n\r\n") + 4;
        std::size_t length = 0;
        const auto at = buffer_.find("Content-Length: ");
        if (at != std::string::npos && at < head_end) length = std::stoul(buffer_.substr(at + 16));
        while (buffer_.size() < head_end + length) {
            const auto chunk = read_some();
            if (chunk.empty()) break;
            buffer_ += chunk;
        }
        const auto end = std::min(buffer_.size(), head_end + length);
        std::string response = buffer_.substr(0, end);
        buffer_.erase(0, end);
        return response;
    }

    // Waits until the server has read everything sent so far, so that a
    // request sent in pieces arrives as a read per piece. Where the system
    // cannot tell (platform.hpp), it returns at once: the pieces may then
    // arrive together, which a right answer passes as well. False after
    // `deadline`.
    bool wait_until_read(std::chrono::milliseconds deadline = std::chrono::seconds(5)) const {
        return eventually([&] { return platform::peer_has_read(fd_).value_or(true); }, deadline,
                          std::chrono::milliseconds(1));
    }

    // True once the peer has closed: a read returns end of file or a reset.
    bool closed_by_peer() {
        char c;
        const ssize_t n = ::recv(fd_, &c, 1, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            throw std::runtime_error("timed out waiting for the peer");
        buffer_ += c;
        return false;
    }

  private:
    // Reads from the socket (never from buffer_); empty at end of stream.
    std::string read_some() {
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) return std::string(chunk, static_cast<std::size_t>(n));
        if (n == 0 || errno == ECONNRESET) return {};
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            throw std::runtime_error("timed out waiting for the server");
        throw std::runtime_error("recv: " + std::string(std::strerror(errno)));
    }

    int fd_ = -1;
    std::string buffer_;
};

inline int status_of(const std::string& response) {
    if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
    return std::stoi(response.substr(9, 3));
}

inline std::string body_of(const std::string& response) {
    const auto at = response.find("\r\n\r\n");
    return at == std::string::npos ? std::string() : response.substr(at + 4);
}

// A response header's value, its name matched without regard to case, the
// spaces after the colon left out; "<absent>" (absent_header) if the head
// has no such line, which a failing check then prints as it is.
inline const std::string absent_header = "<absent>";
inline std::string header_of(const std::string& response, std::string name) {
    const std::string head = response.substr(0, response.find("\r\n\r\n") + 2);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::size_t at = head.find("\r\n"); at != std::string::npos && at + 2 < head.size();) {
        const auto end = head.find("\r\n", at + 2);
        const std::string line = head.substr(at + 2, end - at - 2);
        const auto colon = line.find(':');
        std::string field = line.substr(0, colon);
        for (auto& c : field) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (colon != std::string::npos && field == name) {
            const auto value = line.find_first_not_of(' ', colon + 1);
            return value == std::string::npos ? std::string() : line.substr(value);
        }
        at = end;
    }
    return absent_header;
}

inline std::string get_request(const std::string& target, const std::string& extra_headers = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

}  // namespace workbook::testing
