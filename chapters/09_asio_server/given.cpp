// Chapter 09, given: the JSON responses and the routes of the slide. The
// exercise (exercise.cpp) is the router that picks among them.
#include <nlohmann/json.hpp>

#include "exercise.hpp"
#include "workbook/utf8.hpp"

namespace chapter09 {

Response json_response(const nlohmann::json& body, int status) {
    Response response;
    response.status = status;
    response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
    response.body = body.dump();
    return response;
}

std::vector<Route> hello_routes() {
    return {
        // [slide:hello_handler]
        // async def handle(request):
        //     return web.json_response({'message': 'Hello World'})
        {"GET", "/",
         [](const Request&, const Params&) -> asio::awaitable<Response> {
             co_return json_response({{"message", "Hello World"}});
         }},
        // [/slide]
        // async def greet(request):
        //     return web.json_response({'message': 'Hello, ' + request.match_info['name']})
        {"GET", "/hello/{name}",
         [](const Request&, const Params& params) -> asio::awaitable<Response> {
             const std::string& name = params.at("name");
             // The router decodes into bytes: /hello/%E9 is the byte 0xE9
             // (é in Latin-1), which JSON cannot carry. The client sent it,
             // so the answer is 400 naming the bytes. (aiohttp differs: it
             // leaves an escape that is not UTF-8 undecoded, "Hello, %E9".)
             if (const std::string why = workbook::utf8_problem(name); !why.empty()) {
                 co_return json_response({{"status", 400},
                                          {"error", "Bad Request"},
                                          {"detail", "the name is not UTF-8: " + why}},
                                         400);
             }
             co_return json_response({{"message", "Hello, " + name}});
         }},
    };
}

}  // namespace chapter09
