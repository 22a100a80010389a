// The faults a repository can be given, by name (fake-github --fault OWNER/NAME=KIND).
#include <map>
#include <stdexcept>
#include <string>

#include "workbook/stand_in.hpp"

namespace workbook {

Fault parse_fault(std::string_view name) {
    static const std::map<std::string_view, Fault> names = {
        {"401", Fault::unauthorized},
        {"unauthorized", Fault::unauthorized},
        {"403", Fault::rate_limited},
        {"rate-limit", Fault::rate_limited},
        {"404", Fault::not_found},
        {"not-found", Fault::not_found},
        {"500", Fault::server_error},
        {"server-error", Fault::server_error},
        {"malformed", Fault::malformed},
        {"truncated", Fault::truncated},
        {"reset", Fault::reset},
        {"hang", Fault::hang},
        {"301", Fault::moved},
        {"moved", Fault::moved},
        {"301-loop", Fault::redirect_loop},
        {"redirect-loop", Fault::redirect_loop},
    };
    if (const auto it = names.find(name); it != names.end()) return it->second;
    throw std::invalid_argument(
        "unknown fault \"" + std::string(name) +
        "\": use 401, 403, 404, 500, malformed, truncated, reset, hang, 301 or 301-loop");
}

std::string_view to_string(Fault fault) {
    switch (fault) {
        case Fault::none:
            return "none";
        case Fault::unauthorized:
            return "401";
        case Fault::rate_limited:
            return "403";
        case Fault::not_found:
            return "404";
        case Fault::server_error:
            return "500";
        case Fault::malformed:
            return "malformed";
        case Fault::truncated:
            return "truncated";
        case Fault::reset:
            return "reset";
        case Fault::hang:
            return "hang";
        case Fault::moved:
            return "301";
        case Fault::redirect_loop:
            return "301-loop";
    }
    return "?";
}

}  // namespace workbook
