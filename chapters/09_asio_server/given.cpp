// Chapter 09, given: the JSON responses and the routes of the slide. The
// exercise (exercise.cpp) is the router that picks among them.
#include <nlohmann/json.hpp>

#include "exercise.hpp"

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
             co_return json_response({{"message", "Hello, " + params.at("name")}});
         }},
    };
}

}  // namespace chapter09
