"""Chapter 02 in Python: the talk's five threads emptying one queue.

Run it: ./workbook run 02 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/02_threads/threads.py
"""
# needs: requests (Debian package python3-requests)
import os
import queue
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

requests = github.require("requests", "python3-requests")

failures = []  # list.append is atomic under the GIL: no lock needed for it


# [slide:grab_data]
def grab_data_from_queue():
    # The talk looped `while not q.empty(): repo_url = q.get()`. Between
    # empty() and get(), another thread can take the last URL, and get()
    # then blocks forever: the program never ends. get_nowait() checks and
    # takes in one step, and says "nothing left" with queue.Empty.
    while True:
        try:
            repo_url = q.get_nowait()
        except queue.Empty:
            return
        try:
            response = requests.get(repo_url, headers=HEADERS, timeout=github.TIMEOUT,
                                    verify=github.CA_FILE or True)
            repo_info = github.repo_info(repo_url, response.status_code, response.text)
            github.show(start, threading.current_thread().name, repo_info)
        except (github.FetchError, requests.RequestException) as error:
            print(github.describe(repo_url, error), file=sys.stderr)
            failures.append(repo_url)
        finally:
            # The talk called task_done() only after a success: one
            # exception, and q.join() below waited forever for it.
            q.task_done()
# [/slide]


github.check_reachable()
max_threads = 5
print(f"Fetching {len(REPOS)} repositories from {github.API} with {max_threads} threads")
start = time.time()
# [slide:start_threads]
q = queue.Queue()

for repo_url in REPOS:
    q.put(repo_url)

for i in range(max_threads):
    thread = threading.Thread(target=grab_data_from_queue, name=f"thread-{i + 1}")
    thread.start()

q.join()
# [/slide]
github.finish(start, len(failures))
