#include "workbook/services.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

// WORKBOOK_SERVICES_ENV_FILES (shared/CMakeLists.txt): the env file of
// ./workbook services start, then this build tree's fixture's.
namespace workbook {

std::string address_in_env_file(const std::string& file, std::string_view variable) {
    std::ifstream env(file);
    const std::string prefix = std::string(variable) + "=";
    for (std::string line; std::getline(env, line);) {
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return "";
}

std::string service_address(std::string_view variable) {
    const std::string name(variable);
    if (const char* set = std::getenv(name.c_str()); set && *set) return set;
    for (const char* file : {WORKBOOK_RUNNER_SERVICES_ENV, WORKBOOK_FIXTURE_SERVICES_ENV}) {
        if (auto address = address_in_env_file(file, variable); !address.empty()) return address;
    }
    throw std::runtime_error(name +
                             " is not set and no private server is running: start them with "
                             "./workbook services start (./workbook run starts and stops them "
                             "itself), or set " +
                             name + " to a server of your own");
}

}  // namespace workbook
