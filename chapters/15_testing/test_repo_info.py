"""Chapter 15 in Python: the talk's pytest-asyncio test on the standard
library's unittest (IsolatedAsyncioTestCase runs each async test on a fresh
event loop, as @pytest.mark.asyncio does), plus the chapter's timeout test
with an injected sleep. The slide's own pytest file is
test_repo_info_pytest.py; this one needs nothing but aiohttp, and is what
./workbook run 15 --python runs where pytest-asyncio is not installed.

Run it: ./workbook run 15 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/15_testing/test_repo_info.py
"""
# needs: aiohttp (Debian package python3-aiohttp)
import asyncio
import os
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

aiohttp = github.require("aiohttp", "python3-aiohttp")


async def get_repo_info(repo_url):
    context = ssl.create_default_context(cafile=github.CA_FILE)  # the stand-in's CA over HTTPS
    async with aiohttp.ClientSession(headers=HEADERS, connector=aiohttp.TCPConnector(ssl=context)) as session:
        async with session.get(repo_url) as response:
            return github.repo_info(repo_url, response.status, await response.text())


async def fetch_with_timeout(fetch, timeout, sleep):
    """The chapter's fetch_one: `fetch` raced against `sleep(timeout)`."""
    fetching = asyncio.ensure_future(fetch())
    sleeping = asyncio.ensure_future(sleep(timeout))
    done, pending = await asyncio.wait({fetching, sleeping}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    if fetching in done:
        return fetching.result()
    return f"timed out after {timeout} s"


class FakeTime:
    """Time that moves only in advance(): the C++ chapter's FakeTime."""

    def __init__(self):
        self.now = 0.0
        self.sleepers = []  # (ends, future)

    async def sleep(self, duration):
        future = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + duration, future))
        await future

    async def advance(self, by):
        for _ in range(10):  # let the code under test reach its sleeps
            await asyncio.sleep(0)
        self.now += by
        for ends, future in self.sleepers:
            if ends <= self.now and not future.done():
                future.set_result(None)
        await asyncio.sleep(0)


class TestGetRepoInfo(unittest.IsolatedAsyncioTestCase):
    async def test_get_repo_info(self):  # @pytest.mark.asyncio async def test_...
        repo_info = await get_repo_info(REPOS[0])
        self.assertIn("name", repo_info)
        self.assertIn("full_name", repo_info)
        self.assertIn("stargazers_count", repo_info)

    async def test_a_30_s_timeout_in_no_time(self):
        time_ = FakeTime()
        hangs = asyncio.Event().wait  # a fetch that never answers
        result, _ = await asyncio.gather(fetch_with_timeout(hangs, 30, time_.sleep), time_.advance(30))
        self.assertEqual(result, "timed out after 30 s")


if __name__ == "__main__":
    github.check_reachable()
    start = time.time()
    outcome = unittest.main(exit=False, verbosity=2).result
    print("Execution time = {:.2f} s (a 30 s timeout among them)".format(time.time() - start))
    sys.exit(0 if outcome.wasSuccessful() else 1)
