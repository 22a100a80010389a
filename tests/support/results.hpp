// What the fetch_all tests of several chapters check of their results.
#pragma once

#include "support/doctest.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/printing.hpp"
#include "workbook/github.hpp"
#include "workbook/stand_in.hpp"

namespace workbook::testing {

// The names the results carry, in the order of the results.
inline std::vector<std::string> names_of(const std::vector<FetchResult>& results) {
    std::vector<std::string> names;
    for (const auto& r : results) names.push_back(r.full_name);
    return names;
}

// One result per name, in the order of `names`, every one a success for
// its own repository. The first failure printed names the likely mistake.
inline void check_all_ok_in_order(const std::vector<FetchResult>& results,
                                  const std::vector<std::string>& names) {
    REQUIRE_MESSAGE(results.size() == names.size(), results.size()
                                                        << " results for " << names.size()
                                                        << " repositories: one result per name, "
                                                           "failures included");
    auto returned = names_of(results);
    if (returned != names) {
        auto sorted_returned = returned, sorted_names = names;
        std::sort(sorted_returned.begin(), sorted_returned.end());
        std::sort(sorted_names.begin(), sorted_names.end());
        INFO("asked for: " << names);
        INFO("returned:  " << returned);
        REQUIRE_MESSAGE(
            sorted_returned != sorted_names,
            "every repository came back, but not in the order asked for: probably in the order the "
            "answers arrived. Put result i in its own place (results[i]), whenever it arrives");
        FAIL(
            "the results do not name the repositories asked for (one result per name, in their order)");
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CAPTURE(results[i].error);
        REQUIRE(results[i].ok());
        CHECK(results[i].info->full_name == names[i]);
    }
}

// Latencies that make the answers arrive in the reverse of `names`' order
// (the first name slowest), so that results kept in the order they arrive
// cannot pass for results in input order.
inline void slowest_first(StandInOptions& options, const std::vector<std::string>& names,
                          std::chrono::milliseconds step = std::chrono::milliseconds(15)) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        options.latency_for[names[i]] = step * static_cast<int>(names.size() - i);
    }
}

inline int count_ok(const std::vector<FetchResult>& results) {
    int ok = 0;
    for (const auto& r : results) ok += r.ok();
    return ok;
}

}  // namespace workbook::testing
