"""Chapter 08 in Python: the talk's paco program, at most ten requests at once.

Run it: ./workbook run 08 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/08_bounded/bounded.py
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

in_flight = 0  # only the loop's one thread touches it: no lock


# [slide:bounded_fetch]
async def get_repo_info(limit, session, repo_url):
    global in_flight
    # The talk used paco.wait(tasks, limit=10). paco is not packaged in
    # Debian; asyncio.Semaphore is the standard library's way, and what
    # chapter 08's AsyncSemaphore mirrors: every task starts at once, and all
    # but ten wait here, suspended, for a slot.
    async with limit:
        in_flight += 1
        try:
            async with session.get(repo_url) as response:
                repo_info = github.repo_info(repo_url, response.status, await response.text())
        finally:
            in_flight -= 1
    # Who fetched it, and how many requests were out when its answer came.
    github.show(start, f"{asyncio.current_task().get_name()}, {in_flight + 1:2d} in flight", repo_info)
    return repo_info
# [/slide]


async def main():
    # [slide:bounded_main]
    limit = asyncio.Semaphore(10)
    context = ssl.create_default_context(cafile=github.CA_FILE)
    # The timeout counts per request, from when it has its slot (aiohttp's
    # clock starts at session.get, inside `async with limit`).
    async with aiohttp.ClientSession(headers=HEADERS, connector=aiohttp.TCPConnector(ssl=context),
                                     timeout=aiohttp.ClientTimeout(total=github.TIMEOUT)) as session:
        tasks = [asyncio.ensure_future(get_repo_info(limit, session, repo_url)) for repo_url in REPOS]
        done, _ = await asyncio.wait(tasks)  # ALL_COMPLETED by default: every task is in `done`
    # [/slide]
    # The talk never looked at what asyncio.wait returned: a task's exception
    # stayed in the task, and the program ended as if all had worked.
    return github.count_failed_tasks(tasks)


github.check_reachable()
print(f"Fetching {len(REPOS)} repositories from {github.API}, at most 10 at once")
start = time.time()
failed = asyncio.run(main())
github.finish(start, failed)
