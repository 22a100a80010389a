// What the fetch_all tests of several chapters check of their results.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "workbook/github.hpp"

namespace workbook::testing {

// One result per name, in the order of `names`, every one a success for
// its own repository.
inline void check_all_ok_in_order(const std::vector<FetchResult>& results, const std::vector<std::string>& names) {
    REQUIRE(results.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CAPTURE(results[i].error);
        CHECK(results[i].full_name == names[i]);
        REQUIRE(results[i].ok());
        CHECK(results[i].info->full_name == names[i]);
    }
}

inline int count_ok(const std::vector<FetchResult>& results) {
    int ok = 0;
    for (const auto& r : results) ok += r.ok();
    return ok;
}

}  // namespace workbook::testing
