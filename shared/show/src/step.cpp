#include "workbook/step.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace workbook {

namespace {

// Steps may be taken on any thread; the clocks read this from any other.
std::atomic<std::chrono::steady_clock::rep> paused{0};

// The lines between the slide's markers, in the first source beside `near`
// that has them; empty when none does (a build moved away from its sources).
std::vector<std::string> slide_code(std::string_view slide, const std::filesystem::path& near,
                                    std::filesystem::path& found_in) {
    const std::string open = "[slide:" + std::string(slide) + "]";
    std::vector<std::filesystem::path> candidates = {near};
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(near.parent_path(), ec)) {
        const auto ext = entry.path().extension();
        if ((ext == ".cpp" || ext == ".hpp" || ext == ".py") && entry.path() != near)
            candidates.push_back(entry.path());
    }
    for (const auto& file : candidates) {
        std::ifstream in(file);
        std::vector<std::string> lines;
        std::string line;
        bool inside = false;
        while (std::getline(in, line)) {
            if (!inside && line.find(open) != std::string::npos) {
                inside = true;
            } else if (inside && line.find("[/slide]") != std::string::npos) {
                found_in = file;
                return lines;
            } else if (inside) {
                lines.push_back(line);
            }
        }
    }
    return {};
}

}  // namespace

void step(std::string_view slide, std::source_location where) {
    if (std::getenv("WORKBOOK_STEP") == nullptr) return;
    std::filesystem::path found_in;
    auto lines = slide_code(slide, where.file_name(), found_in);
    // The slide shows the code dedented: so does the step.
    std::size_t indent = std::string::npos;
    for (const auto& l : lines)
        if (l.find_first_not_of(' ') != std::string::npos)
            indent = std::min(indent, l.find_first_not_of(' '));
    std::cout << std::flush;
    std::printf("\n--- next: [slide:%.*s]%s%s ---\n", static_cast<int>(slide.size()), slide.data(),
                found_in.empty() ? "" : " in ", found_in.filename().string().c_str());
    if (lines.empty()) std::printf("(its code is not beside this program: see the slides)\n");
    for (const auto& l : lines)
        std::printf("  | %s\n", l.size() > indent ? l.c_str() + indent : "");
    std::printf("--- Enter runs it ---");
    std::fflush(stdout);
    std::string answer;
    const auto waiting_since = std::chrono::steady_clock::now();
    std::getline(std::cin, answer);  // at the end of input, go on
    paused += (std::chrono::steady_clock::now() - waiting_since).count();
    std::printf("\n");
}

std::chrono::steady_clock::duration time_paused() {
    return std::chrono::steady_clock::duration(paused.load());
}

}  // namespace workbook
