// Waits for something another thread or process makes true: a count the
// server keeps, a flag a thread sets. A test waits for the event itself,
// never for a time after which it has "surely" happened: on a busy laptop
// there is no such time.
//
//     REQUIRE_MESSAGE(eventually([&] { return server.connections() == 3; }),
//                     "the server never counted the 3 connections");
//
// The condition is asked again every `poll` until it holds or the
// deadline passes; the result is its last answer, so a check after the
// deadline reads the same value the message reports.
#pragma once

#include <chrono>
#include <thread>

namespace workbook::testing {

// `poll`: the wait between two asks; longer where asking costs (reading
// 10,000 entries of /proc/PID/fd).
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds deadline = std::chrono::seconds(10),
                std::chrono::milliseconds poll = std::chrono::milliseconds(1)) {
    const auto give_up = std::chrono::steady_clock::now() + deadline;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= give_up) return false;
        // A poll interval, not a guess: the loop ends as soon as the
        // condition holds.
        std::this_thread::sleep_for(poll);
    }
    return true;
}

}  // namespace workbook::testing
