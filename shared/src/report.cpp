#include "workbook/report.hpp"

#include <cstdlib>
#include <iostream>

#include "workbook/timing.hpp"

namespace workbook {

std::optional<ApiConfig> api_config_or_report() {
    try {
        return api_config_from_env();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return std::nullopt;
    }
}

std::optional<int> count_argument(int argc, char** argv, int fallback, int max, std::string_view usage) {
    if (argc < 2) return fallback;
    char* end = nullptr;
    const long value = std::strtol(argv[1], &end, 10);
    if (argc > 2 || *end != '\0' || value < 1 || value > max) {
        std::cerr << "usage: " << usage << "\n";
        return std::nullopt;
    }
    return static_cast<int>(value);
}

int print_results(const std::vector<FetchResult>& results, std::chrono::duration<double> elapsed,
                  const std::function<std::string(std::size_t)>& note) {
    std::size_t failed = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].ok()) {
            std::cout << to_string(*results[i].info) << (note ? note(i) : "") << "\n";
        } else {
            std::cerr << results[i].error << "\n";
            ++failed;
        }
    }
    std::cout << timing_line(elapsed) << std::endl;
    if (failed == 0) return 0;
    std::cerr << failed << " of " << results.size() << " repositories failed (see above); "
              << results.size() - failed << " succeeded.\n";
    return 1;
}

}  // namespace workbook
