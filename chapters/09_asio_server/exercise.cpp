// Chapter 09 exercise: your file. Make `./workbook check 09` green.
//
// match (TODO 09.1), then dispatch (TODO 09.2) with it.
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 09`.
#include "exercise.hpp"

#include <nlohmann/json.hpp>

#include "workbook/todo.hpp"

namespace chapter09 {

bool match(std::string_view pattern, std::string_view path, Params& params) {
    // TODO(09.1): split both at '/', compare segment by segment; a {name}
    // segment takes the path's segment, percent-decoded, into params.
    (void)pattern, (void)path, (void)params;
    workbook::todo("09.1");
    return false;  // never reached
}

asio::awaitable<Response> dispatch(const std::vector<Route>& routes, const Request& request) {
    // TODO(09.2): the first route that matches path and method (GET answers
    // HEAD too); else 405 with Allow when the path matched, else 404.
    (void)routes, (void)request;
    workbook::todo("09.2");
    co_return Response{};  // never reached
}

}  // namespace chapter09
