// What a hostile or broken client sends a server, as checks any HTTP server
// of the workbook must pass: the GitHub stand-in (tests/shared_test.cpp) and
// the chapter 09 server (tests/chapter09_test.cpp) run the same ones.
//
// Each takes the port of a server on 127.0.0.1 and `valid`, a request it
// answers with 200, and checks that after the abuse the server still
// answers it: no input may crash the server, leak a connection, or stop it
// serving others.
#pragma once

#include "support/doctest.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.hpp"
#include "support/raw_http.hpp"
#include "workbook/limits.hpp"

namespace workbook::testing::hostile {

// The server still answers a well-formed request with 200.
inline void still_serves(unsigned short port, const std::string& valid) {
    RawConnection after(port);
    REQUIRE(after.send(valid));
    const std::string response = after.read_response();
    CHECK_MESSAGE(status_of(response) == 200, "a well-formed request after a bad client got: "
                                                  << (response.empty() ? "no answer" : response));
}

// Requests no parser should accept get 400 and a closed connection.
inline void malformed_requests(unsigned short port, const std::string& valid) {
    for (const char* garbage :
         {"HELLO\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
          "GET /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "\x16\x03\x01\x02\x00\x01\x00"}) {
        CAPTURE(garbage);
        RawConnection c(port);
        REQUIRE(c.send(garbage));
        const auto response = c.read_all();  // read_all: the server must close
        CHECK(status_of(response) == 400);
        CHECK(response.find("Connection: close") != std::string::npos);
    }
    still_serves(port, valid);
}

// Hundreds of requests, half noise and half a valid request with bytes
// flipped. Whatever the status, the server must answer or close, and live.
// (Junk that looks like half a request waits for the server's head
// deadline: give it a short one.)
inline void random_junk(unsigned short port, const std::string& valid, int count = 300) {
    std::mt19937 random(20171021);  // fixed: the same bytes on every run
    std::uniform_int_distribution<int> byte(0, 255), length(1, 600);
    for (int i = 0; i < count; ++i) {
        std::string junk = valid;
        if (i % 2 == 0) {
            junk.resize(static_cast<std::size_t>(length(random)));
            for (auto& c : junk) c = static_cast<char>(byte(random));
        } else {
            for (int k = 0; k < 3; ++k)
                junk[static_cast<std::size_t>(byte(random)) % junk.size()] =
                    static_cast<char>(byte(random));
        }
        RawConnection c(port);
        c.send(junk);
        c.send("\r\n\r\n");
        const int status = status_of(c.read_response());  // 400, or an answer if it still parsed
        CHECK((status == 0 || status == 200 || status == 400 || status == 404 || status == 405 ||
               status == 401 || status == 431 || status == 413 || status == 501));
    }
    still_serves(port, valid);
}

// A request head over the server's limit (16 KiB by default): 431.
inline void head_over_limit(unsigned short port, const std::string& path,
                            const std::string& valid) {
    RawConnection c(port);
    REQUIRE(c.send("GET " + path + " HTTP/1.1\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n"));
    CHECK(status_of(c.read_all()) == 431);
    still_serves(port, valid);
}

// A body over the server's limit (1 MiB by default), announced or chunked: 413.
inline void body_over_limit(unsigned short port, const std::string& path,
                            const std::string& valid) {
    RawConnection c(port);
    REQUIRE(c.send("POST " + path + " HTTP/1.1\r\nContent-Length: 5000000\r\n\r\nabc"));
    CHECK(status_of(c.read_all()) == 413);
    RawConnection chunked(port);
    std::string request = "POST " + path + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 40; ++i) request += "8000\r\n" + std::string(0x8000, 'x') + "\r\n";
    chunked.send(request);  // the server may close before it has read it all
    CHECK(status_of(chunked.read_all()) == 413);
    still_serves(port, valid);
}

// A head sent one byte every 20 ms (slowloris), to a server whose head
// deadline is far shorter than the 2.6 s the head would take: the server
// cuts it off, and answers others meanwhile. Each byte arrives well inside
// any per-read timeout, so only a deadline for the whole head can stop it.
inline void trickled_head(unsigned short port, const std::string& path, const std::string& valid) {
    RawConnection c(port);
    const std::string head = "GET " + path +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(100, 'z') +
                             "\r\n\r\n";
    bool cut_off = false;
    for (std::size_t i = 0; i < head.size(); ++i) {
        if (!c.send(std::string(1, head[i]))) {
            cut_off = true;
            break;
        }
        if (i == 3) still_serves(port, valid);  // the slow client holds nobody else up
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK_MESSAGE((cut_off || c.closed_by_peer()), "a head trickled for 2.6 s was never cut off");
}

// Clients that hang up halfway: in the head, in the body, and before reading
// the answer. `open_connections` asks the server how many connections it
// holds. Each client waits until the server counts it (so the check cannot
// read the count before the server has even accepted it), then hangs up,
// and the server must fall back to where it was.
inline void leaves_mid_request(unsigned short port, const std::string& valid,
                               const std::function<std::size_t()>& open_connections) {
    const std::size_t before = open_connections();
    const std::pair<const char*, std::string> parts[] = {
        {"in the middle of its head", "GET / HTTP/1.1\r\nHost: 12"},
        {"in the middle of its body",
         "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc"},
        {"before reading its answer", valid}};
    for (const auto& [when, part] : parts) {
        CAPTURE(when);
        {
            RawConnection c(port);
            REQUIRE(c.send(part));
            REQUIRE_MESSAGE(eventually([&] { return open_connections() == before + 1; }),
                            "the server never counted a new connection: "
                                << open_connections() << " open, " << before << " before");
        }  // closes here, without reading
        CHECK_MESSAGE(eventually([&] { return open_connections() == before; }),
                      "the connection of a client that left "
                          << when << " is still held after 10 s: " << open_connections()
                          << " open, " << before << " before");
    }
    still_serves(port, valid);
}

// `n` connections that send nothing: the server holds them all and still
// answers a fresh client; when they close, it lets them all go.
// `server_here`: the server runs in this process, so both ends of every
// connection count against this process's open files.
inline void idle_connections(unsigned short port, const std::string& valid, int n,
                             const std::function<std::size_t()>& open_connections,
                             bool server_here = true) {
    const long limit = workbook::raise_open_file_limit();
    REQUIRE_MESSAGE(limit > (server_here ? 2L : 1L) * n + 100,
                    "the open-file limit " << limit << " is too low for " << n << " connections");
    const std::size_t before = open_connections();
    {
        std::vector<std::unique_ptr<RawConnection>> idle;
        for (int i = 0; i < n; ++i) idle.push_back(std::make_unique<RawConnection>(port));
        CHECK_MESSAGE(
            eventually([&] { return open_connections() >= before + static_cast<std::size_t>(n); },
                       std::chrono::seconds(10), std::chrono::milliseconds(10)),
            "the server counts " << open_connections() - before << " of " << n
                                 << " idle connections after 10 s");
        CHECK(open_connections() == before + static_cast<std::size_t>(n));
        still_serves(port, valid);
    }
    CHECK_MESSAGE(eventually([&] { return open_connections() == before; }, std::chrono::seconds(10),
                             std::chrono::milliseconds(10)),
                  "after " << n << " idle clients closed, " << open_connections()
                           << " connections are still open (" << before << " before)");
}

}  // namespace workbook::testing::hostile
