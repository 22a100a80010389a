// The talk's timing line: `Tempo de execução=2.03 segundos`.
#pragma once

#include <chrono>
#include <string>

#include "workbook/step.hpp"

namespace workbook {

// Measures wall time from its construction, on the monotonic clock (the
// system clock can jump while a program runs), less the time the demo stood
// still at a step's Enter (./workbook run NN --step).
class Stopwatch {
  public:
    std::chrono::duration<double> elapsed() const {
        return std::chrono::steady_clock::now() - start_ - (time_paused() - paused_at_start_);
    }

  private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration paused_at_start_ = time_paused();
};

// "Execution time = 2.03 s"
std::string timing_line(std::chrono::duration<double> elapsed);

// "9.1 ms": a step of a demo, to a tenth of a millisecond.
std::string milliseconds_text(std::chrono::duration<double> elapsed);

}  // namespace workbook
