// The one reader of a stand-in's statistics over HTTP, for the programs that
// run it as a process of their own (the bench, the tests that fork).
#include <httplib.h>

#include <stdexcept>

#include "workbook/blocking_client.hpp"
#include "workbook/stand_in.hpp"

namespace workbook {

Stats read_stand_in_stats(const ApiConfig& api) {
    auto client = make_blocking_client(api);
    const auto result = client->Get("/_stats");
    if (!result || result->status != 200) {
        throw std::runtime_error("cannot read the statistics of the stand-in at " +
                                 api.origin().to_string() + " (GET /_stats): is it running?");
    }
    return stats_from_json(result->body);
}

void reset_stand_in_stats(const ApiConfig& api) {
    auto client = make_blocking_client(api);
    const auto result = client->Post("/_stats/reset");
    if (!result || result->status != 200) {
        throw std::runtime_error("cannot reset the statistics of the stand-in at " +
                                 api.origin().to_string() +
                                 " (POST /_stats/reset): is it running?");
    }
}

}  // namespace workbook
