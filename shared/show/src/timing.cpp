#include "workbook/timing.hpp"

#include <cstdio>

namespace workbook {

std::string timing_line(std::chrono::duration<double> elapsed) {
    char text[64];
    std::snprintf(text, sizeof text, "Execution time = %.2f s", elapsed.count());
    return text;
}

std::string milliseconds_text(std::chrono::duration<double> elapsed) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", elapsed.count() * 1000);
    return text;
}

}  // namespace workbook
