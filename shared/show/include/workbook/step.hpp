// ./workbook run NN --step, for an instructor at the projector: the demo
// stops before each part, shows that part's code as its slide shows it (the
// lines between `// [slide:NAME]` and `// [/slide]` in the chapter's
// sources), and goes on when Enter is pressed. Without --step (the
// environment has no WORKBOOK_STEP) a step does nothing at all.
#pragma once

#include <chrono>
#include <source_location>
#include <string_view>

namespace workbook {

// Before the part of the demo that the slide NAME shows. The marker is
// looked for in the sources beside the file that calls step().
void step(std::string_view slide, std::source_location where = std::source_location::current());

// All the time this program has spent waiting at a step's Enter. A demo's
// clocks (Stopwatch, the arrivals' stamps) leave it out: a pause at the
// projector is not part of what the demo measures.
std::chrono::steady_clock::duration time_paused();

}  // namespace workbook
