// A main() for the fuzz targets in the ordinary build (g++, and the
// sanitizer builds): runs each file given, or each file in each folder
// given, through LLVMFuzzerTestOneInput once. CTest runs every target over
// its seeds and over the inputs of every crash found (fuzz/regressions), so
// a crash fixed stays fixed without clang.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        if (fs::is_directory(arg)) {
            for (const auto& entry : fs::recursive_directory_iterator(arg))
                if (entry.is_regular_file()) files.push_back(entry.path());
        } else if (fs::exists(arg)) {
            files.push_back(arg);
        }
    }
    if (files.empty()) {
        std::cerr << "no inputs found in the folders given\n";
        return 1;
    }
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::cout << files.size() << " inputs, none failed\n";
    return 0;
}
