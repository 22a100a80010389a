// Chapter 00, given: the log, and the two things a waiter does at a table.
#include <thread>

#include "exercise.hpp"

namespace chapter00 {

Log::Log() : start_(Clock::now()) {}

void Log::record(const std::string& waiter, const Table& table, Happened happened) {
    const auto at = std::chrono::duration_cast<milliseconds>(Clock::now() - start_);
    std::lock_guard lock(mutex_);
    events_.push_back({at, waiter, table.name, happened, std::this_thread::get_id()});
}

std::vector<Event> Log::events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

Clock::time_point take_order(const std::string& waiter, const Table& table, Log& log) {
    // Writing the order down is the waiter's own work: the thread is busy
    // (sleeping stands in for work here), so it cannot do anything else.
    std::this_thread::sleep_for(table.ordering);
    log.record(waiter, table, Happened::order_taken);
    // The kitchen starts now and needs no one to watch it.
    return Clock::now() + table.cooking;
}

void serve(const std::string& waiter, const Table& table, Log& log) {
    log.record(waiter, table, Happened::served);
}

}  // namespace chapter00
