"""Chapter 04 in Python: the talk's ThreadPoolExecutor and executor.map.

Run it: ./workbook run 04 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/04_futures/futures.py
"""
# needs: requests (Debian package python3-requests)
import os
import sys
import threading
import time
from concurrent import futures

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

requests = github.require("requests", "python3-requests")


def get_repo_info(repo_url):
    response = requests.get(repo_url, headers=HEADERS, timeout=github.TIMEOUT,
                            verify=github.CA_FILE or True)
    repo_info = github.repo_info(repo_url, response.status_code, response.text)
    github.show(start, threading.current_thread().name, repo_info)
    return repo_info


def fetched_or_error(repo_url):
    """One repository's outcome: its info, or the line that says why not."""
    try:
        return get_repo_info(repo_url)
    except (github.FetchError, requests.RequestException) as error:
        return github.describe(repo_url, error)


github.check_reachable()
workers = 5
print(f"Fetching {len(REPOS)} repositories from {github.API} with a pool of {workers} threads")
start = time.time()
failed = 0

# [slide:executor_map]
with futures.ThreadPoolExecutor(workers, thread_name_prefix="pool") as executor:
    # The talk called executor.map(...) and never looked at what it returned:
    # map keeps each call's exception until its result is asked for, so an
    # error was swallowed without a word. Iterating the results, in the order
    # of REPOS whatever order they finish in, brings every outcome back here.
    # (map stops at the first exception it re-raises, so each call hands its
    # error back as a value instead.)
    for outcome in executor.map(fetched_or_error, REPOS):
        if isinstance(outcome, str):
            print(outcome, file=sys.stderr)
            failed += 1
# [/slide]

github.finish(start, failed)
