// Tells when a thread is waiting: asleep in the kernel (on a condition
// variable, a lock, a read) rather than running. A test that must push only
// once a consumer waits, or close only once every consumer waits, asks this
// instead of sleeping for a time after which the thread "is surely waiting".
//
//     Arrival arrived;
//     std::thread consumer([&] { arrived.here(); queue.pop(); });
//     CHECK(arrived.asleep());   // now it waits inside pop()
//     queue.push(job);
//
// On Linux the thread's state is read from /proc (platform.hpp). Other
// systems have no portable way for one thread to ask another's state: there,
// asleep() waits for the arrival only. A right answer passes either way;
// only a wrong one may slip through more often.
#pragma once

#include <atomic>
#include <chrono>

#include "support/eventually.hpp"
#include "support/platform.hpp"

namespace workbook::testing {

class Arrival {
  public:
    // Called by the thread to watch, just before the call that should wait.
    void here() {
        tid_ = platform::this_thread_id();
        arrived_ = true;
    }
    // Called by the thread after that call returned: it no longer waits.
    void gone() { gone_ = true; }

    // True once the thread has arrived and is asleep (or has already left:
    // the caller's checks then say what it did); false after `deadline`.
    bool asleep(std::chrono::milliseconds deadline = std::chrono::seconds(5)) const {
        if (!eventually([&] { return arrived_.load(); }, deadline)) return false;
        // A system that cannot tell (platform.hpp): go on at once.
        if (!platform::thread_asleep(tid_.load()).has_value()) return true;
        return eventually(
            [&] { return gone_.load() || platform::thread_asleep(tid_.load()).value_or(true); },
            deadline);
    }

  private:
    std::atomic<long> tid_{0};
    std::atomic<bool> arrived_{false};
    std::atomic<bool> gone_{false};
};

}  // namespace workbook::testing
