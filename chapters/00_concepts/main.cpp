// Chapter 00: concurrency is not parallelism. The waiter who does not stand
// at the kitchen.
//
// The idea: most of what a program that talks to servers does is wait (for
// the network, for a database), the way a waiter waits for the kitchen. A
// waiter who stands at the kitchen until each dish is out serves one table
// at a time; hiring a second waiter (a second thread) halves that, and
// doubles the staff, who still stand at the kitchen. One waiter who hands
// every order in and serves each dish when it is ready keeps every table in
// progress at once: concurrency, with one thread and no parallelism at all.
// That waiter is an event loop, and you write one (exercise.cpp) before
// chapter 05 hands you Asio's.
//
// Python (the talk):  the waiter example, then asyncio
// C++ (here):         a restaurant simulated with real timers; waiter.py is
//                     the same restaurant on asyncio
//
// Run it: ./workbook run 00
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "exercise.hpp"
#include "workbook/report.hpp"
#include "workbook/step.hpp"

namespace {

using chapter00::Event;
using chapter00::Happened;
using chapter00::Log;
using chapter00::Table;
using std::chrono::milliseconds;

// The same four tables for every waiter. Writing an order takes the waiter
// 20 ms; the kitchen then takes from 100 to 300 ms.
const std::vector<Table> tables = {
    {"table 1", "steak", milliseconds(20), milliseconds(300)},
    {"table 2", "salad", milliseconds(20), milliseconds(100)},
    {"table 3", "soup", milliseconds(20), milliseconds(200)},
    {"table 4", "pasta", milliseconds(20), milliseconds(150)},
};

// [slide:waiter_blocking]
// The blocking waiter: takes an order, then stands at the kitchen until that
// dish is out, serves it, and only then walks to the next table. While he
// waits, he can do nothing else, and every other table waits with him.
void blocking_waiter(const std::vector<Table>& tables, Log& log, const std::string& waiter) {
    for (const Table& table : tables) {
        const auto ready = chapter00::take_order(waiter, table, log);
        std::this_thread::sleep_until(ready);  // standing at the kitchen: a blocking call
        chapter00::serve(waiter, table, log);
    }
}
// [/slide]

// Two blocking waiters, one thread each, sharing the tables: parallelism.
// Twice the staff, and each still stands at the kitchen.
void two_blocking_waiters(const std::vector<Table>& all, Log& log) {
    std::vector<Table> first, second;
    for (std::size_t i = 0; i < all.size(); ++i) (i % 2 == 0 ? first : second).push_back(all[i]);
    std::thread ana([&] { blocking_waiter(first, log, "Ana"); });
    std::thread caio([&] { blocking_waiter(second, log, "Caio"); });
    ana.join();
    caio.join();
}

const Table& table_named(const std::string& name) {
    return *std::find_if(tables.begin(), tables.end(),
                         [&](const Table& t) { return t.name == name; });
}

// What one way of waiting did: its events as they happened, then a line per
// table over time, then the totals.
struct Outcome {
    std::string who;
    long total_ms = 0;
    long average_wait_ms = 0;  // from sitting down to the dish on the table
    int idle_percent = 0;      // of the waiters' time, not writing an order
};

// One column of the picture is 20 ms.
constexpr long column_ms = 20;

void print_table_line(const Table& table, const std::vector<Event>& events, long total_ms) {
    long taken = -1, served = -1;
    for (const Event& e : events) {
        if (e.table != table.name) continue;
        (e.happened == Happened::order_taken ? taken : served) = static_cast<long>(e.at.count());
    }
    std::string line;
    const long ordering_from = taken - static_cast<long>(table.ordering.count());
    const long ready = taken + static_cast<long>(table.cooking.count());
    bool starred = false;
    for (long t = 0; t < total_ms + column_ms; t += column_ms) {
        const long mid = t + column_ms / 2;  // what the table is doing in the middle of the column
        char c = ' ';
        if (served >= 0 && mid >= served) {
            c = starred ? ' ' : '*';  // on the table
            starred = true;
        } else if (taken < 0 || mid < ordering_from) {
            c = '.';  // waiting for the waiter to come and take the order
        } else if (mid < taken) {
            c = 'o';  // ordering
        } else if (mid < ready || served - ready <= 5) {
            c = '~';  // the kitchen cooks (a dish brought within 5 ms of the bell counts as on
                      // time)
        } else {
            c = '!';  // ready, and nobody brings it
        }
        line += c;
    }
    std::printf("    %-8s |%s served after %ld ms\n", table.name.c_str(), line.c_str(), served);
}

Outcome show(const std::string& who, const Log& log, int waiters) {
    const auto events = log.events();
    Outcome outcome;
    outcome.who = who;
    long waits = 0;
    for (const Event& e : events) {
        const Table& table = table_named(e.table);
        if (e.happened == Happened::order_taken) {
            std::printf("  %5ld ms  %-5s takes the order of %s (%s, %ld ms in the kitchen)\n",
                        static_cast<long>(e.at.count()), e.waiter.c_str(), e.table.c_str(),
                        table.dish.c_str(), static_cast<long>(table.cooking.count()));
        } else {
            std::printf("  %5ld ms  %-5s serves %s its %s\n", static_cast<long>(e.at.count()),
                        e.waiter.c_str(), e.table.c_str(), table.dish.c_str());
            waits += static_cast<long>(e.at.count());
            outcome.total_ms = std::max(outcome.total_ms, static_cast<long>(e.at.count()));
        }
    }
    std::printf("\n");
    for (const Table& table : tables) print_table_line(table, events, outcome.total_ms);
    long writing = 0;
    for (const Table& table : tables) writing += static_cast<long>(table.ordering.count());
    const long staff_time = outcome.total_ms * waiters;
    outcome.average_wait_ms = waits / static_cast<long>(tables.size());
    outcome.idle_percent =
        staff_time > 0 ? static_cast<int>(100 * (staff_time - writing) / staff_time) : 0;
    std::printf(
        "    (. waits for a waiter  o orders  ~ the kitchen cooks  ! ready, not brought  * served)\n");
    std::printf("  %zu tables served in %ld ms; a table waited %ld ms on average\n\n",
                tables.size(), outcome.total_ms, outcome.average_wait_ms);
    return outcome;
}

}  // namespace

int main() {
    return workbook::guarded_main([] {
        std::vector<Outcome> outcomes;

        std::printf("One blocking waiter: Ana takes an order and waits at the kitchen for it\n");
        {
            Log log;
            workbook::step("waiter_blocking");
            blocking_waiter(tables, log, "Ana");
            outcomes.push_back(show("one blocking waiter", log, 1));
        }

        std::printf("Two blocking waiters, a thread each: Ana and Caio share the tables\n");
        {
            Log log;
            two_blocking_waiters(tables, log);
            outcomes.push_back(show("two blocking waiters", log, 2));
        }

        std::printf("One event-loop waiter: Bia takes every order, then serves each dish\n");
        std::printf("when it is ready (your exercise.cpp)\n");
        {
            workbook::step("waiter_event_loop");
            // [slide:waiter_event_loop]
            // The event-loop waiter, in words (exercise.cpp says it in C++):
            //   take every order; the kitchen starts each dish at once
            //   while dishes are still to come:
            //       sleep until the soonest one is ready
            //       serve it
            // One waiter, every table in progress at once: concurrency.
            Log log;
            chapter00::event_loop_waiter(tables, log, "Bia");
            // [/slide]
            outcomes.push_back(show("one event-loop waiter", log, 1));
        }

        std::printf("%-22s %9s %16s %18s\n", "who serves", "total ms", "a table waits ms",
                    "staff time idle");
        for (const Outcome& o : outcomes) {
            std::printf("%-22s %9ld %16ld %17d%%\n", o.who.c_str(), o.total_ms, o.average_wait_ms,
                        o.idle_percent);
        }
        std::printf(
            "\nThe kitchen did the waiting. Two waiters (parallelism) cut the time by doubling\n"
            "the staff; one waiter who never stands at the kitchen (concurrency) cut it more,\n"
            "alone. A program that waits on the network is that restaurant: chapter 05's\n"
            "event loop is Bia, and chapter 16 gives her 10,000 tables.\n");
        return 0;
    });
}
