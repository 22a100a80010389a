"""Chapter 01 in Python: the talk's synchronous program, one request at a time.

Run it: ./workbook run 01 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/01_sync/sync.py
"""
# needs: requests (Debian package python3-requests)
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

requests = github.require("requests", "python3-requests")

github.check_reachable()
print(f"Fetching {len(REPOS)} repositories from {github.API}, one at a time")
start = time.time()
failed = 0
# [slide:sync_loop]
for repo_url in REPOS:
    try:
        # requests.get blocks until the whole answer is in: for those 100 ms
        # the program does nothing else at all. The token travels in HEADERS,
        # not in params={'access_token': ...} as in the talk.
        response = requests.get(repo_url, headers=HEADERS, timeout=github.TIMEOUT,
                                verify=github.CA_FILE or True)
        # The talk indexed response.json() directly: a 404 or a rate-limit
        # answer then ended the program with a KeyError and no word of why.
        repo_info = github.repo_info(repo_url, response.status_code, response.text)
    except (github.FetchError, requests.RequestException) as error:
        print(github.describe(repo_url, error), file=sys.stderr)
        failed += 1
        continue
    github.show(start, threading.current_thread().name, repo_info)
# [/slide]
github.finish(start, failed)
