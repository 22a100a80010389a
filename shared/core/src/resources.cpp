#include "workbook/resources.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace workbook {

namespace {

long long cpu_ms(const rusage& u) {
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000LL +
           (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000;
}

// A "Name:   value kB" line of /proc/self/status (Linux); 0 elsewhere.
long long status_field(const std::string& name) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(name + ":", 0) == 0) return std::stoll(line.substr(name.size() + 1));
    }
    return 0;
}

}  // namespace

ResourceUsage resource_usage() {
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    ResourceUsage usage;
    usage.cpu_ms = cpu_ms(self) + cpu_ms(children);
    usage.peak_rss_kb = self.ru_maxrss;  // kilobytes on Linux
    usage.children_peak_rss_kb = children.ru_maxrss;
    usage.virtual_peak_kb = status_field("VmPeak");
    usage.threads = static_cast<int>(status_field("Threads"));
    return usage;
}

std::string to_string(const ResourceUsage& usage) {
    char text[160];
    std::snprintf(text, sizeof text, "cpu %lld ms, peak memory %.1f MiB (virtual %.1f MiB)",
                  usage.cpu_ms, usage.peak_rss_kb / 1024.0, usage.virtual_peak_kb / 1024.0);
    return text;
}

}  // namespace workbook
