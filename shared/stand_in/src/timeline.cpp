#include "workbook/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace workbook {

namespace {

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string num(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
    return buffer;
}

std::string label(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

// A round step for the time axis: 1, 2 or 5 times a power of ten, giving
// about six ticks.
double tick_step(double span_ms) {
    const double rough = std::max(span_ms / 6, 1e-3);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * power >= rough) return m * power;
    }
    return 10 * power;
}

}  // namespace

std::string timeline_svg(const std::vector<StatsEntry>& log, const TimelineLabels& labels) {
    std::vector<StatsEntry> entries = log;
    std::stable_sort(entries.begin(), entries.end(), [](const StatsEntry& a, const StatsEntry& b) {
        return a.start_us < b.start_us;
    });
    long long end_us = std::max(labels.span_us, 1LL);
    for (const auto& e : entries) end_us = std::max({end_us, e.start_us, e.end_us});
    const double span_ms = end_us / 1000.0;

    const double left = 60, right = 20, top = 56, bottom = 40, plot_width = 720;
    // Rows shrink as requests grow, so that the picture stays under 600 pixels.
    const double row = entries.empty() ? 14 : std::clamp(600.0 / entries.size(), 0.5, 14.0);
    const double plot_height = std::max(row * entries.size(), 20.0);
    const double width = left + plot_width + right, height = top + plot_height + bottom;
    const auto x_of = [&](long long us) { return left + plot_width * (us / 1000.0) / span_ms; };

    std::string svg;
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
           num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
           "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text x=\"" + num(left) + "\" y=\"20\" font-size=\"15\" font-weight=\"bold\">" +
           escape(labels.title) + "</text>\n";
    svg += "<text x=\"" + num(left) + "\" y=\"38\" fill=\"#555\">" + escape(labels.subtitle) +
           "</text>\n";

    // The time axis: a grid line and a label per tick.
    const double step = tick_step(span_ms);
    for (double t = 0; t <= span_ms + 1e-9; t += step) {
        const double x = x_of(static_cast<long long>(t * 1000));
        svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(top + plot_height) + "\" stroke=\"#ddd\"/>\n";
        svg += "<text x=\"" + num(x) + "\" y=\"" + num(top + plot_height + 16) +
               "\" text-anchor=\"middle\" fill=\"#555\">" + label(t) + "</text>\n";
    }
    svg += "<text x=\"" + num(left + plot_width) + "\" y=\"" + num(top + plot_height + 32) +
           "\" text-anchor=\"end\" fill=\"#555\">ms since the start</text>\n";
    svg += "<text x=\"" + num(left - 8) + "\" y=\"" + num(top + 10) +
           "\" text-anchor=\"end\" fill=\"#555\">#1</text>\n";
    if (entries.size() > 1) {
        svg += "<text x=\"" + num(left - 8) + "\" y=\"" + num(top + plot_height) +
               "\" text-anchor=\"end\" fill=\"#555\">#" + std::to_string(entries.size()) +
               "</text>\n";
    }

    // One bar per request, in the order they arrived.
    const double gap = row >= 4 ? 2 : 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        const bool answered = e.end_us > 0;
        const double x1 = x_of(e.start_us), x2 = x_of(answered ? e.end_us : end_us);
        svg += "<rect x=\"" + num(x1) + "\" y=\"" + num(top + i * row) + "\" width=\"" +
               num(std::max(x2 - x1, 1.0)) + "\" height=\"" + num(std::max(row - gap, 0.5)) +
               "\" fill=\"" +
               (!answered         ? "#c0392b"
                : e.status == 200 ? "#2e86c1"
                                  : "#e67e22") +
               "\"><title>" + escape(e.path) + ": " +
               (answered ? std::to_string(e.status) : std::string("no answer")) + ", " +
               num(e.start_us / 1000.0) + " to " + num((answered ? e.end_us : end_us) / 1000.0) +
               " ms</title></rect>\n";
    }
    svg += "</svg>\n";
    return svg;
}

void write_timeline_svg(const std::string& path, const std::vector<StatsEntry>& log,
                        const TimelineLabels& labels) {
    std::ofstream out(path, std::ios::trunc);
    out << timeline_svg(log, labels);
    if (!out.flush()) throw std::runtime_error("cannot write the timeline picture " + path);
}

}  // namespace workbook
