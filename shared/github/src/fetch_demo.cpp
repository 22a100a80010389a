#include "workbook/fetch_demo.hpp"

#include <iostream>

#include "workbook/arrivals.hpp"
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

int demo_main(int argc, char** argv, const CountArgument& count,
              const std::function<int(const ApiConfig&, int)>& body) {
    const auto number = count_argument(argc, argv, count.fallback, count.max, count.usage);
    const auto api = api_config_or_report();
    if (!number || !api) return 2;
    return guarded_main([&] { return body(*api, *number); });
}

int demo_main(const std::function<int(const ApiConfig&)>& body) {
    const auto api = api_config_or_report();
    if (!api) return 2;
    return guarded_main([&] { return body(*api); });
}

int print_results(const std::vector<FetchResult>& results, std::chrono::duration<double> elapsed,
                  const std::function<std::string(std::size_t)>& note) {
    if (showing_arrivals()) std::cout << "\nIn the order asked for:\n";
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
