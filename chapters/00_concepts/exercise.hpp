// Chapter 00 exercise: a waiter who never stands at the kitchen.
//
// A restaurant stands in for a program that talks to servers. Writing an
// order down is the waiter's own work (the program's CPU time: nobody can do
// it for him, and he can do nothing else meanwhile). Cooking is the
// kitchen's work (a server's, a database's, the network's): it goes on
// without him, and the kitchen cooks many dishes at once. The waiter is one
// thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chapter00 {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One table and what it orders.
struct Table {
    std::string name;       // "table 1"
    std::string dish;       // "steak"
    milliseconds ordering;  // the waiter's time to write the order down
    milliseconds cooking;   // the kitchen's time, once it has the order
};

enum class Happened {
    order_taken,  // written down and handed to the kitchen: cooking starts
    served,       // the dish is on the table
};

// One thing a waiter did, as the log saw it.
struct Event {
    milliseconds at;  // since the tables sat down (when the log was made)
    std::string waiter;
    std::string table;
    Happened happened;
    std::thread::id thread;  // the thread that recorded it: one waiter, one thread
};

// What the waiters did, and when. The demo prints it; the tests judge a
// waiter by it (by the order of the events, not by a stopwatch). Two waiters
// on two threads may record at once, so it locks.
class Log {
  public:
    Log();  // the tables sit down now
    void record(const std::string& waiter, const Table& table, Happened happened);
    std::vector<Event> events() const;  // in the order they happened
    Clock::time_point start() const { return start_; }

  private:
    Clock::time_point start_;
    mutable std::mutex mutex_;
    std::vector<Event> events_;
};

// Given (given.cpp). `waiter` takes `table`'s order: `table.ordering` of his
// time (the thread is busy for that long), then the kitchen has it.
// Returns when the dish will be ready: now + `table.cooking`.
Clock::time_point take_order(const std::string& waiter, const Table& table, Log& log);

// Given. `waiter` brings `table`'s dish (at once: the kitchen is next door).
void serve(const std::string& waiter, const Table& table, Log& log);

// TODO(00.1): the event-loop waiter. One waiter (this thread, no other)
// serves every table: take every order first, handing each to the kitchen
// (take_order tells you when that dish will be ready), then serve the dishes
// in the order they are ready, each as soon as it is ready: wait until the
// soonest pending dish is ready (std::this_thread::sleep_until), serve it,
// repeat. His only wait is for the next thing there is to do.
//
// The blocking waiter (main.cpp) stands at the kitchen after every order
// instead. Yours takes as long as the slowest table, not the sum of all.
void event_loop_waiter(const std::vector<Table>& tables, Log& log,
                       const std::string& waiter = "Bia");

}  // namespace chapter00
