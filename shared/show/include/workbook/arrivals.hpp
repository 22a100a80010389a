// Concurrency made visible as it happens. In the talk, each worker printed
// its repository the moment it had it, so the audience saw the requests of
// five threads arrive five at a time. With show_arrivals() on, every
// fetch_repo_blocking and fetch_repo_async prints one line as it ends: the
// milliseconds since show_arrivals(), who fetched it, and the repository.
//
//   [  103 ms] thread 2       nodejs/llhttp
//   [  104 ms] process 41222  redis/redis  (failed)
//
// Off unless a demo turns it on: the tests and the benchmark print nothing.
#pragma once

#include <string_view>

namespace workbook {

// Starts the clock and turns the lines on, for this process and any it
// forks. The thread that calls it is "the main thread"; every other thread
// gets a number in the order it first reports; a forked child is named by
// its process id.
void show_arrivals();

// True once show_arrivals() was called.
bool showing_arrivals();

// Prints the line for one finished fetch, if show_arrivals() was called.
// Safe from any thread and from a forked child: one write() per line,
// shorter than PIPE_BUF, so lines never interleave.
void report_arrival(std::string_view full_name, bool ok);

}  // namespace workbook
