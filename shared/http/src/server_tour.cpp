#include "workbook/server_tour.hpp"

#include <httplib.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace workbook {

namespace {

// "  POST / -> 405 (Allow: GET,HEAD) {...}"
void ask(httplib::Client& client, const std::string& method, const std::string& path,
         std::ostream& out) {
    httplib::Result result = method == "HEAD"   ? client.Head(path.c_str())
                             : method == "POST" ? client.Post(path.c_str(), "", "text/plain")
                                                : client.Get(path.c_str());
    out << "  " << method << " " << path << " -> ";
    if (!result) {
        out << "no answer: " << httplib::to_string(result.error()) << "\n";
        return;
    }
    out << result->status;
    if (result->has_header("Allow")) out << " (Allow: " << result->get_header_value("Allow") << ")";
    if (method == "HEAD")
        out << " Content-Length " << result->get_header_value("Content-Length") << ", no body";
    if (!result->body.empty()) out << " " << result->body;
    out << "\n";
}

}  // namespace

void server_tour(httplib::Client& client, std::ostream& out) {
    const std::vector<std::pair<std::string, std::string>> questions{
        {"GET", "/"},
        {"GET", "/hello/Ana"},
        {"GET", "/hello/Jos%C3%A9"},  // the path parameter is percent-decoded
        {"HEAD", "/hello/Ana"},       // a GET route answers HEAD too
        {"POST", "/"},                // a path that exists, a method it does not take
        {"GET", "/nowhere"},
    };
    for (const auto& [method, path] : questions) ask(client, method, path, out);
}

}  // namespace workbook
