#include "workbook/paths.hpp"

// WORKBOOK_CERT_DIR is defined by shared/CMakeLists.txt as <build>/certs.
namespace workbook {

std::string stand_in_ca_file() {
    return WORKBOOK_CERT_DIR "/ca.pem";
}
std::string stand_in_cert_file() {
    return WORKBOOK_CERT_DIR "/server.pem";
}
std::string stand_in_key_file() {
    return WORKBOOK_CERT_DIR "/server.key";
}

}  // namespace workbook
