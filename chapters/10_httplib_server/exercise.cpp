// Chapter 10 exercise: your file. Make `./workbook check 10` green.
//
// add_routes (TODO 10.1), then add_json_errors (TODO 10.2).
// exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 10`.
#include "exercise.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "workbook/todo.hpp"
#include "workbook/utf8.hpp"

namespace chapter10 {

void add_routes(httplib::Server& server) {
    // TODO(10.1): server.Get(pattern, handler) for each route; the handler
    // fills the Response with res.set_content(json_text, content_type);
    // a name that is not UTF-8 gets 400 (workbook::utf8_problem says why).
    (void)server;
    workbook::todo("10.1");
}

void add_json_errors(httplib::Server& server) {
    // TODO(10.2): server.set_error_handler(...): a 404 whose path matches a
    // route of app_routes becomes 405 with Allow; both get a JSON body.
    (void)server;
    workbook::todo("10.2");
}

}  // namespace chapter10
