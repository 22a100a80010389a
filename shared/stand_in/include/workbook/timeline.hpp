// The timeline picture: every request the stand-in served, drawn as a bar
// from the moment it arrived to the moment it was answered, one row per
// request in the order they arrived. Sync is a staircase, five threads are
// steps five rows deep, the event loop is one column. SVG, written by hand:
// no dependency, opens in any browser.
#pragma once

#include <string>
#include <vector>

#include "workbook/stand_in_stats.hpp"

namespace workbook {

struct TimelineLabels {
    std::string title;     // "threads: 20 repositories, 5 workers"
    std::string subtitle;  // "406 ms, at most 5 in flight"
    // The time the picture spans, in microseconds; 0 fits it to the log.
    // Pictures of several models on one span compare at a glance.
    long long span_us = 0;
};

// The SVG document for `log` (the stand-in's Stats::log; times since its
// statistics were reset). Requests that never got an answer are drawn to the
// end of the picture, in red.
std::string timeline_svg(const std::vector<StatsEntry>& log, const TimelineLabels& labels);

// timeline_svg() into `path`; throws std::runtime_error naming the path when
// it cannot be written.
void write_timeline_svg(const std::string& path, const std::vector<StatsEntry>& log,
                        const TimelineLabels& labels);

}  // namespace workbook
