// The questions chapters 09 and 10 ask their servers in their demos, as
// curl -i would, one printed line each: the slide's GET /, the greeting with
// a plain and a percent-encoded name, HEAD, a method the path does not take,
// and a path that does not exist.
#pragma once

#include <iosfwd>

namespace httplib {
class Client;
}

namespace workbook {

void server_tour(httplib::Client& client, std::ostream& out);

}  // namespace workbook
