"""Chapter 03 in Python: the talk's five worker processes and a shared queue.

Run it: ./workbook run 03 --python (starts the stand-in), or with a stand-in
already running: python3 chapters/03_processes/processes.py
"""
# needs: requests (Debian package python3-requests)
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

requests = github.require("requests", "python3-requests")


# [slide:worker]
def grab_data_from_queue(q, failed, start):
    # The talk looped `while not q.empty(): repo_url = q.get()`, which races
    # between processes as it does between threads; and a multiprocessing
    # queue is filled by a background thread, so empty() (and get_nowait())
    # can even say "empty" while URLs are still on their way. A sentinel, one
    # None per worker put after the URLs, says "no more" without guessing.
    # q and failed come as arguments, not globals: with the "spawn" and
    # "forkserver" start methods a child does not inherit globals.
    while True:
        repo_url = q.get()
        try:
            if repo_url is None:
                return
            response = requests.get(repo_url, headers=HEADERS, timeout=github.TIMEOUT,
                                    verify=github.CA_FILE or True)
            repo_info = github.repo_info(repo_url, response.status_code, response.text)
            github.show(start, f"pid {os.getpid()}", repo_info)
        except (github.FetchError, requests.RequestException) as error:
            print(github.describe(repo_url, error), file=sys.stderr)
            with failed.get_lock():
                failed.value += 1
        finally:
            # The talk called task_done() only after a success: one
            # exception, and q.join() below waited forever for it.
            q.task_done()
# [/slide]


if __name__ == "__main__":  # a spawned child imports this file: it must not run this part
    github.check_reachable()
    workers = 5
    print(f"Fetching {len(REPOS)} repositories from {github.API} with {workers} processes "
          f"(this one is pid {os.getpid()})")
    start = time.time()
    # [slide:start_processes]
    q = multiprocessing.JoinableQueue()
    failed = multiprocessing.Value("i", 0)

    for repo_url in REPOS:
        q.put(repo_url)
    for _ in range(workers):
        q.put(None)

    processes = []
    for i in range(workers):
        process = multiprocessing.Process(target=grab_data_from_queue, args=(q, failed, start))
        process.start()
        processes.append(process)
    # [/slide]

    # The talk waited with q.join() alone. A worker that dies (killed, or an
    # exception the loop does not catch) leaves its share unfinished, and
    # q.join() then waits forever. Waiting for the processes themselves
    # always ends: each leaves at its sentinel, or dies. Joining them also
    # reaps them, or each would stay a zombie until this program ends.
    for process in processes:
        process.join()
    died = [p for p in processes if p.exitcode != 0]
    if died:
        github.fail(f"worker process {died[0].pid} ended with exit code {died[0].exitcode} "
                    f"before the queue was empty ({len(died)} of {workers} died); see above")
    q.join()  # returns at once now: every URL was taken and marked done
    github.finish(start, failed.value)
