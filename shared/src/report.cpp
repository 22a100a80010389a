#include "workbook/report.hpp"

#include <cstdlib>
#include <iostream>

#include "workbook/arrivals.hpp"
#include "workbook/timing.hpp"
#include "workbook/todo.hpp"
#include "workbook/whole_number.hpp"

namespace workbook {

std::optional<ApiConfig> api_config_or_report() {
    try {
        return api_config_from_env();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return std::nullopt;
    }
}

std::optional<int> count_argument(int argc, char** argv, int fallback, int max,
                                  std::string_view usage) {
    if (argc < 2) return fallback;
    const auto value = whole_number(argv[1], 1, max);
    if (argc > 2 || !value) {
        std::cerr << "usage: " << usage << "\n";
        return std::nullopt;
    }
    return static_cast<int>(*value);
}

int guarded_main(const std::function<int()>& body) {
    try {
        return body();
    } catch (const NotDoneYet& e) {
        // "TODO(08.1) is not done yet: ..." names the chapter.
        const std::string text = e.what();
        const auto open = text.find('(');
        const std::string chapter = open == std::string::npos ? "NN" : text.substr(open + 1, 2);
        std::cerr << "error: " << text << "\n"
                  << "This program runs your exercise. Solve it (./workbook check " << chapter
                  << "), or run the reference answer: ./workbook run " << chapter
                  << " --reference\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "error: an exception that is not a std::exception ended the program\n";
    }
    return 1;
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

void announce_arrivals() {
    std::cout << "As each one arrives (milliseconds since the start, and who fetched it):"
              << std::endl;
    show_arrivals();
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
