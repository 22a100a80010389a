// Files the build makes for the workbook's programs to find at run time.
#pragma once

#include <string>

namespace workbook {

// The CA that signed the stand-in's certificate (made at build time by
// openssl, in <build>/certs/), and the stand-in's certificate and key.
std::string stand_in_ca_file();
std::string stand_in_cert_file();
std::string stand_in_key_file();

}  // namespace workbook
