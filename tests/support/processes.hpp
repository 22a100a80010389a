// The processes this test process started, as /proc lists them.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace workbook::testing {

// The processes whose parent is this one, found in /proc: what a test checks
// to prove every child was reaped.
inline std::vector<pid_t> children_of_this_process() {
    std::vector<pid_t> children;
    const std::string me = std::to_string(::getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // pid (comm) state ppid ...: comm may hold spaces, so start after ')'
        std::istringstream rest(line.substr(line.rfind(')') + 2));
        std::string state, ppid;
        rest >> state >> ppid;
        if (ppid == me) children.push_back(std::stoi(name));
    }
    return children;
}

}  // namespace workbook::testing
