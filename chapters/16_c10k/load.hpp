// Chapter 16, given: the load tool. It opens N connections to a server at
// once, sends a request on each, keeps them all open, and reports what the
// server made of it. The demo holds 2,000 against the chapter's server in
// this process; `./workbook bench c10k` holds 10,000 against each server in
// a process of its own, which lets it read that process's memory and CPU.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace chapter16 {

struct LoadOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    std::string path = "/";  // what every connection asks for: GET path
    int connections = 10'000;
    // Connects in progress at once: enough to be a burst, few enough that
    // the client's own SYNs do not overflow a 4,096 backlog.
    int connecting_at_once = 1'000;
    // For the whole burst: connections not answered by then count as not
    // answered (their sockets are closed).
    std::chrono::milliseconds timeout{10'000};
    // The server's process, to read its memory and CPU (0: not measured).
    int server_pid = 0;
    // Called while all the connections are held, before the fresh client.
    std::function<void()> while_held;
};

struct LoadReport {
    int connections = 0;  // asked for
    int opened = 0;       // connected
    int answered = 0;     // got a whole response
    double seconds = 0;   // from the first connect to the last answer
    double kb_per_conn =
        -1;  // the server's resident memory grown per held connection; -1: not measured
    double cpu_us_per_request = -1;  // the server's CPU (all threads) per answer; -1: not measured
    double fresh_ms = -1;     // a fresh client's answer while they are held; -1: none within 1 s
    std::string first_error;  // why the first connection that failed did
};

// Throws std::runtime_error when the connections cannot fit under this
// process's open-file limit (it raises its soft limit to the hard one
// first), saying what the limits are and what to do.
LoadReport hold_connections(const LoadOptions& options);

// One line for people: "10000 connections: 10000 answered in 0.45 s, ...".
std::string describe(const LoadReport& report);

}  // namespace chapter16
