"""Chapter 09 in Python: the talk's aiohttp server, with the greeting route.

Run it: ./workbook run 09 --python      a tour: it asks itself, then stops
        python3 chapters/09_asio_server/hello_server.py --serve [--port 8080]
                                        serves until Ctrl-C (./workbook bench
                                        server --python measures it this way)
"""
# needs: aiohttp (Debian package python3-aiohttp)
import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402

aiohttp = github.require("aiohttp", "python3-aiohttp")
from aiohttp import web  # noqa: E402


# The slide, as it was.
# [slide:hello_handler]
async def handle(request):
    return web.json_response({'message': 'Hello World'})
# [/slide]


# The exercise's route: a path parameter, decoded by aiohttp.
async def greet(request):
    return web.json_response({'message': 'Hello, ' + request.match_info['name']})


# [slide:hello_app]
def make_app():
    app = web.Application()
    app.router.add_get('/', handle)  # add_get answers HEAD too
    app.router.add_get('/hello/{name}', greet)
    return app
# [/slide]


async def tour():
    """What the C++ demo does: serve on a free port, ask, stop."""
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, '127.0.0.1', 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"Serving on http://127.0.0.1:{port}/ on one thread")
    print("A client on the same loop asks it, on one kept-alive connection:")
    async with aiohttp.ClientSession() as session:
        for method, path in [("GET", "/"), ("GET", "/hello/Ana"), ("GET", "/hello/Jos%C3%A9"),
                             ("HEAD", "/hello/Ana"), ("POST", "/"), ("GET", "/nowhere")]:
            url = f"http://127.0.0.1:{port}{path}"
            async with session.request(method, url) as response:
                body = await response.text()
                allow = response.headers.get('Allow')
                print(f"  {method} {path} -> {response.status}"
                      + (f" (Allow: {allow})" if allow else "")
                      + (f" Content-Length {response.headers.get('Content-Length')}, no body"
                         if method == "HEAD" else "")
                      + f" {body}")
    await runner.cleanup()  # the graceful stop: what Ctrl-C does to run_app


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--serve", action="store_true", help="serve until Ctrl-C")
parser.add_argument("--port", type=int, default=8080)
args = parser.parse_args()
if args.serve:
    # The slide's run_app, which listens with a backlog of 128 (chapter 16).
    web.run_app(make_app(), host='127.0.0.1', port=args.port)
else:
    github.run_timed(tour(), (), "the tour")  # on this machine only: any failure is a bug, shown whole
