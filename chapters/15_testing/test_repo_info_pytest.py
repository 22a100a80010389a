"""Chapter 15 in Python: the talk's pytest-asyncio slide, run by pytest.

The talk's two tests, against the stand-in. The first is an `async def`
test that pytest-asyncio runs on an event loop. The second was a plain test
that asked for pytest-asyncio's `event_loop` fixture and ran the coroutine
on it: pytest-asyncio 0.22 and 0.23 deprecated uses of that fixture and
1.0 (2025) removed it, so the talk's `def test_get_repo_info_2(event_loop)`
now stops with "fixture 'event_loop' not found". Here the plain test runs
its own loop with asyncio.run, which works with every version. What a
wider `event_loop` fixture was for, tests that share one loop, is now an
argument of the marker: `@pytest.mark.asyncio(loop_scope="module")`
(pytest-asyncio 0.24 and later; Debian 12 has 0.20.3, which skips that
class).

test_repo_info.py runs the talk's test on the standard library's unittest
instead, for a machine without pytest-asyncio.

Run it: ./workbook run 15 --python (starts the stand-in, and runs this file
with pytest where pytest-asyncio is installed), or with a stand-in running:
python3 -m pytest -v chapters/15_testing/test_repo_info_pytest.py
"""
# needs: pytest_asyncio (Debian package python3-pytest-asyncio)
import asyncio
import os
import sys

import pytest
import pytest_asyncio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS  # noqa: E402
from test_repo_info import get_repo_info  # noqa: E402  (the talk's, with the stand-in's CA and the token in a header)

github.check_reachable()


# [slide:pytest_asyncio]
@pytest.mark.asyncio
async def test_get_repo_info_1():
    repo_info = await get_repo_info(REPOS[0])
    assert "name" in repo_info
    assert "full_name" in repo_info
    assert "stargazers_count" in repo_info


def test_get_repo_info_2():  # the talk: (event_loop), removed in pytest-asyncio 1.0
    repo_info = asyncio.run(get_repo_info(REPOS[0]))
    assert "name" in repo_info
    assert "full_name" in repo_info
    assert "stargazers_count" in repo_info
# [/slide]


LOOP_SCOPE = tuple(int(part) for part in pytest_asyncio.__version__.split(".")[:2]) >= (0, 24)


# Two tests on one loop: what a module-scoped event_loop fixture gave.
@pytest.mark.skipif(not LOOP_SCOPE, reason=f"loop_scope needs pytest-asyncio 0.24 or later, "
                                           f"this is {pytest_asyncio.__version__}")
@pytest.mark.asyncio(loop_scope="module")
class TestOneLoopForTheModule:
    loop = None

    async def test_first_remembers_its_loop(self):
        TestOneLoopForTheModule.loop = asyncio.get_running_loop()

    async def test_second_runs_on_the_same_loop(self):
        assert asyncio.get_running_loop() is TestOneLoopForTheModule.loop
