// What a test can learn only from the operating system, in one place: Linux
// answers from /proc and ioctl; elsewhere each function says "cannot tell"
// (std::nullopt), and its caller goes on without that knowledge: a right
// answer passes either way, only a wrong one may slip through more often.
#pragma once

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#if defined(__linux__)
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace workbook::testing::platform {

// This thread's id, for thread_asleep(); 0 where it cannot be known.
inline long this_thread_id() {
#if defined(__linux__)
    return static_cast<long>(::gettid());
#else
    return 0;
#endif
}

// Whether thread `tid` of this process is asleep in the kernel (on a lock, a
// condition variable, a read): /proc/self/task/TID/stat, state S or D. The
// name in that line may hold spaces and parentheses, so the state is read
// after the last ')'.
inline std::optional<bool> thread_asleep(long tid) {
#if defined(__linux__)
    std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    const char state = line[close + 2];
    return state == 'S' || state == 'D';
#else
    (void)tid;
    return std::nullopt;
#endif
}

// Whether everything sent on the loopback TCP socket `fd` has been read by
// the program at its other end: nothing left in this socket's send queue
// (SIOCOUTQ), then nothing in the peer's receive queue (its rx_queue in
// /proc/net/tcp, found by the two ports).
inline std::optional<bool> peer_has_read(int fd) {
#if defined(__linux__)
    int unsent = 0;
    if (::ioctl(fd, SIOCOUTQ, &unsent) != 0 || unsent != 0) return false;
    sockaddr_in local{}, peer{};
    socklen_t size = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size);
    size = sizeof peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size);
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the heading
    while (std::getline(table, line)) {
        unsigned local_port = 0, remote_port = 0, tx = 0, rx = 0;
        if (std::sscanf(line.c_str(), "%*d: %*8x:%x %*8x:%x %*x %x:%x", &local_port, &remote_port,
                        &tx, &rx) != 4)
            continue;
        // The peer's end: its local port is our peer's, its remote port ours.
        if (local_port == ntohs(peer.sin_port) && remote_port == ntohs(local.sin_port))
            return rx == 0;
    }
    return false;
#else
    (void)fd;
    return std::nullopt;
#endif
}

}  // namespace workbook::testing::platform
