// What a run cost: CPU time, peak memory and threads, as the kernel counts
// them. The threads and processes chapters print these, and the comparison
// table and `./workbook bench` compare the models with them.
#pragma once

#include <string>

namespace workbook {

struct ResourceUsage {
    long long cpu_ms = 0;                // user + system, this process and its reaped children
    long long peak_rss_kb = 0;           // the most resident memory this process has had
    long long children_peak_rss_kb = 0;  // the same for the largest reaped child
    long long virtual_peak_kb = 0;       // the most address space (thread stacks count here)
    int threads = 0;                     // threads of this process right now
};

ResourceUsage resource_usage();

// "cpu 12 ms, peak memory 9.8 MiB (virtual 52.1 MiB)"
std::string to_string(const ResourceUsage& usage);

}  // namespace workbook
