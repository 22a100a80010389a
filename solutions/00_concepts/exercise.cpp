// Chapter 00 reference: the event-loop waiter.
#include "exercise.hpp"

#include <functional>
#include <queue>
#include <thread>
#include <utility>

namespace chapter00 {

void event_loop_waiter(const std::vector<Table>& tables, Log& log, const std::string& waiter) {
    // The kitchen's bells: when each dish will be ready, soonest on top. An
    // event loop keeps its timers the same way (Asio's is a heap too), so
    // that "what comes next?" costs one look.
    using Bell = std::pair<Clock::time_point, const Table*>;
    std::priority_queue<Bell, std::vector<Bell>, std::greater<>> bells;

    // Every order first: each one starts its dish in the kitchen, and no
    // dish needs the waiter until it is ready.
    for (const Table& table : tables) bells.push({take_order(waiter, table, log), &table});

    // Then the loop: sleep until the next bell, serve, repeat. The only
    // wait is for the soonest thing there is to do.
    while (!bells.empty()) {
        const auto [ready, table] = bells.top();
        bells.pop();
        std::this_thread::sleep_until(ready);
        serve(waiter, *table, log);
    }
}

}  // namespace chapter00
