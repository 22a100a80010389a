// Where the private Redis, memcached and PostgreSQL servers are, for the
// data-store chapters (11 to 14). shared/scripts/services.sh starts them
// (./workbook services start, or the `services` fixture of ctest) and writes
// their addresses to an env file, one VARIABLE=value a line.
#pragma once

#include <string>
#include <string_view>

namespace workbook {

// The address in `variable` (REDIS_URL, MEMCACHED_ADDR or DATABASE_URL):
// the environment's when it is set there (your own server wins), else the
// one in the env file of ./workbook services start (build/services), else
// the one in this build's test fixture's folder. Throws std::runtime_error
// saying how to start the servers when none has it.
std::string service_address(std::string_view variable);

// The value of `variable` in one env file, or "" when the file or the line
// is not there.
std::string address_in_env_file(const std::string& file, std::string_view variable);

}  // namespace workbook
