"""Chapter 07 in Python: the talk's asyncio + aiohttp program, every request at once.

Run it: ./workbook run 07 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/07_async_http/async_http.py
"""
# needs: aiohttp (Debian package python3-aiohttp)
import asyncio
import os
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

aiohttp = github.require("aiohttp", "python3-aiohttp")


# [slide:get_repo_info]
async def get_repo_info(session, repo_url):
    # While this waits for its answer, the loop runs every other request.
    async with session.get(repo_url) as response:
        repo_info = github.repo_info(repo_url, response.status, await response.text())
    github.show(start, asyncio.current_task().get_name(), repo_info)
    return repo_info
# [/slide]


# [slide:async_main]
async def main():
    # The talk opened a ClientSession per request, and so a connection pool
    # per request. aiohttp asks for one session for the whole program, like
    # the C++ chapter's one Client: it keeps the connections for reuse.
    context = ssl.create_default_context(cafile=github.CA_FILE)
    async with aiohttp.ClientSession(headers=HEADERS, connector=aiohttp.TCPConnector(ssl=context),
                                     timeout=aiohttp.ClientTimeout(total=github.TIMEOUT)) as session:
        tasks = []
        for repo_url in REPOS:
            task = asyncio.ensure_future(get_repo_info(session, repo_url))
            tasks.append(task)
        done, _ = await asyncio.wait(tasks)  # ALL_COMPLETED by default: every task is in `done`
    # The talk never looked at what asyncio.wait returned: a task's exception
    # stayed in the task, and the program ended as if all had worked.
    return github.count_failed_tasks(tasks)
# [/slide]


github.check_reachable()
print(f"Fetching {len(REPOS)} repositories from {github.API}, all at once, on one thread")
start = time.time()
# The talk's get_event_loop() + run_until_complete(asyncio.wait(tasks)):
# asyncio.run makes the loop, runs main() on it and closes it.
failed = asyncio.run(main())
github.finish(start, failed)
