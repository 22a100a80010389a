#include "workbook/report.hpp"

#include <iostream>
#include <string>

#include "workbook/arrivals.hpp"
#include "workbook/todo.hpp"
#include "workbook/whole_number.hpp"

namespace workbook {

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
        std::cerr << "error: " << e.what() << "\n"
                  << "This program runs your exercise. Solve it (./workbook check " << e.chapter()
                  << "), or run the reference answer: ./workbook run " << e.chapter()
                  << " --reference\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "error: an exception that is not a std::exception ended the program\n";
    }
    return 1;
}

void announce_arrivals() {
    std::cout << "As each one arrives (milliseconds since the start, and who fetched it):"
              << std::endl;
    show_arrivals();
}

}  // namespace workbook
