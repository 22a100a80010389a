"""What the chapters' Python programs share: the talk's `github` module.

In the talk, `from github import REPOS, ACCESS_TOKEN` gave every program the
repository URLs and a token, which each request then sent in the query
string. Here the same names come from the environment, like the C++ programs:

  WORKBOOK_GITHUB_API  the API's base URL; default the stand-in,
                       http://127.0.0.1:8700 (./workbook fake-github)
  GITHUB_TOKEN         optional; sent only in the Authorization header
  WORKBOOK_CA_FILE     CA certificates for HTTPS; default the system's

Standard library only: each program imports its HTTP library itself, with
`require`, so that a missing one is named with its Debian package.
"""
import asyncio
import importlib
import json
import os
import socket
import sys
import time
import urllib.parse

API = os.environ.get("WORKBOOK_GITHUB_API", "").rstrip("/") or "http://127.0.0.1:8700"

# The twenty repositories of workbook::repositories() (shared/github/src/github.cpp),
# in the same order, so both languages fetch exactly the same list.
NAMES = [
    "chriskohlhoff/asio", "yhirose/cpp-httplib", "nlohmann/json", "doctest/doctest",
    "nodejs/llhttp", "openssl/openssl", "libuv/libuv", "scylladb/seastar",
    "facebook/folly", "python/cpython", "aio-libs/aiohttp", "twisted/twisted",
    "gevent/gevent", "tornadoweb/tornado", "sanic-org/sanic", "redis/redis",
    "memcached/memcached", "postgres/postgres", "tokio-rs/tokio", "fmtlib/fmt",
]
REPOS = [f"{API}/repos/{name}" for name in NAMES]

ACCESS_TOKEN = os.environ.get("GITHUB_TOKEN", "")
# The talk sent the token as ?access_token=...: GitHub has refused that since
# 2021 (the stand-in refuses it too), and a URL ends up in logs and error
# messages. A header does not.
HEADERS = {"Accept": "application/vnd.github+json", "User-Agent": "asio-workbook-python"}
if ACCESS_TOKEN:
    HEADERS["Authorization"] = "Bearer " + ACCESS_TOKEN

CA_FILE = os.environ.get("WORKBOOK_CA_FILE") or None
TIMEOUT = 10  # seconds, for each request


class FetchError(Exception):
    """One repository could not be fetched; the message names it and says why."""


def fail(message, code=1):
    """Ends the program with one line that says what happened."""
    print(message, file=sys.stderr)
    sys.exit(code)


def require(module, package):
    """Imports `module`, or ends the program naming the package to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        # A pyenv or venv python3 first on PATH does not see Debian's packages.
        other = "" if sys.executable == "/usr/bin/python3" or not os.path.exists("/usr/bin/python3") \
            else f"; {sys.executable} does not see Debian's packages, /usr/bin/python3 does"
        fail(f"this program needs the Python module '{module}': sudo apt-get install {package} "
             f"(or ./workbook setup){other}")


def service_address(variable, chapter, server):
    """The address of a private server (REDIS_URL, MEMCACHED_ADDR, DATABASE_URL)
    from the environment, or the end of the program saying how to start it."""
    address = os.environ.get(variable)
    if not address:
        fail(f"{variable} is not set: ./workbook run {chapter} --python starts a private {server}, "
             "or ./workbook services start, then: set -a; . build/services/services.env; set +a")
    return address


def run_timed(coroutine, errors, what):
    """Runs the program's main coroutine, ends with one line on `errors`
    (the library's connection failures), and prints the talk's timing line."""
    start = time.time()
    try:
        asyncio.run(coroutine)
    except errors as e:
        fail(f"{what}: {type(e).__name__}: {e} (./workbook services start)")
    except FetchError as e:
        # A repository that failed where the program does not go on without
        # it (asyncio.gather stops at the first): its one line, no traceback.
        fail(str(e))
    print("Execution time = {:.2f} s".format(time.time() - start))


def full_name(repo_url):
    return repo_url.rsplit("/repos/", 1)[-1]


def check_reachable():
    """Ends the program at once, with one line, when nothing listens at API.

    Without it, a stand-in that is not running would give twenty identical
    errors, one per repository.
    """
    url = urllib.parse.urlsplit(API)
    if url.scheme not in ("http", "https") or not url.hostname:
        fail(f"WORKBOOK_GITHUB_API={API} is not an http:// or https:// URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=5).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        fail(f"cannot reach {API} ({reason}): is the stand-in running? Start it with "
             f"./workbook fake-github in another terminal, or run ./workbook run NN --python")


def repo_info(repo_url, status, body):
    """The talk's three fields from one answer, or a FetchError saying why not."""
    name = full_name(repo_url)
    if status != 200:
        advice = {401: "GITHUB_TOKEN was refused: check it, or unset it",
                  403: "probably the rate limit: set GITHUB_TOKEN, or use the stand-in",
                  404: "no such repository"}.get(status, "the server's answer was not the repository")
        raise FetchError(f"{name}: HTTP {status} ({advice})")
    try:
        data = json.loads(body)
        return {"name": data["name"], "full_name": data["full_name"],
                "stargazers_count": data["stargazers_count"]}
    except (ValueError, KeyError, TypeError) as error:
        raise FetchError(f"{name}: the answer is not a repository ({type(error).__name__}: {error})") from None


def describe(repo_url, error):
    """One line for a request that failed, whatever the HTTP library raised."""
    if isinstance(error, FetchError):
        return str(error)
    # requests and aiohttp each have their own timeout classes; all have
    # "Timeout" in their name (asyncio's is the built-in TimeoutError).
    if isinstance(error, TimeoutError) or "Timeout" in type(error).__name__:
        return f"{full_name(repo_url)}: no answer within {TIMEOUT} s"
    return f"{full_name(repo_url)}: the request failed ({type(error).__name__}: {error})"


def show(start, who, info):
    """Prints one repository as it arrives: milliseconds since `start`, who
    fetched it, and the talk's dictionary. One write per line, flushed, so
    lines from threads or processes never mix."""
    elapsed_ms = (time.time() - start) * 1000
    sys.stdout.write(f"{elapsed_ms:6.0f} ms  {who:<12}  {info}\n")
    sys.stdout.flush()


def count_failed_tasks(tasks):
    """Looks at every finished asyncio task, in the order of REPOS, which the
    talk never did after asyncio.wait: a task's exception stays in the task
    until someone asks. Prints each failure; returns how many failed."""
    failed = 0
    for repo_url, task in zip(REPOS, tasks):
        if task.exception() is not None:
            print(describe(repo_url, task.exception()), file=sys.stderr)
            failed += 1
    return failed


def finish(start, failed):
    """The talk's last line, and a non-zero exit if any repository failed."""
    print("Execution time = {:.2f} s".format(time.time() - start))
    if failed:
        fail(f"{failed} of {len(REPOS)} repositories failed (see above); "
             f"{len(REPOS) - failed} succeeded.")
