"""The talk's asyncio + aiohttp program, measured like the C++ models.

Two variants, both written for this workbook and run by
`./workbook bench fetch --python` against the same stand-in:

  python-talk     one aiohttp.ClientSession per request, as in the talk: every
                  request gets a connector (and so a connection) of its own.
  python-session  one ClientSession shared by every request, as aiohttp's own
                  documentation advises: its connector allows at most 100
                  connections at once (TCPConnector's default limit), so at
                  most 100 requests are ever in flight.

The token goes in the Authorization header, never in the URL (the talk put it
in the query string, which the stand-in refuses, as GitHub does today).

Prints one row of the comparison table, or with --json one JSON object with
the same keys as workbook-bench. Needs Python 3 and aiohttp
(Debian: python3-aiohttp).
"""
import argparse
import asyncio
import json
import math
import os
import resource
import sys
import time
import urllib.request

try:
    import aiohttp
except ImportError:
    print("python3-aiohttp is not installed: sudo apt-get install python3-aiohttp", file=sys.stderr)
    sys.exit(3)


def stand_in(api, path, method="GET"):
    """The stand-in's own statistics, over plain urllib (not part of the timing)."""
    request = urllib.request.Request(api + path, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def headers():
    result = {"Accept": "application/vnd.github+json", "User-Agent": "asio-workbook-python"}
    token = os.environ.get("GITHUB_TOKEN", "")
    if token:
        result["Authorization"] = "token " + token
    return result


async def get_repo_info(session, url):
    async with session.get(url) as response:
        data = await response.json()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
        return {"name": data["name"], "full_name": data["full_name"],
                "stargazers_count": data["stargazers_count"]}


async def one_session_per_request(url, timeout):
    async with aiohttp.ClientSession(headers=headers(), timeout=timeout) as session:
        return await get_repo_info(session, url)


def threads_now():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 1


async def run(variant, urls):
    """The results, and how many threads the process had when they were in."""
    timeout = aiohttp.ClientTimeout(total=60)
    if variant == "python-talk":
        tasks = [one_session_per_request(url, timeout) for url in urls]
        return await asyncio.gather(*tasks, return_exceptions=True), threads_now()
    async with aiohttp.ClientSession(headers=headers(), timeout=timeout) as session:
        results = await asyncio.gather(*(get_repo_info(session, url) for url in urls), return_exceptions=True)
        return results, threads_now()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["python-talk", "python-session"], required=True)
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--latency", type=int, default=100, help="the stand-in's latency, in ms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    api = os.environ.get("WORKBOOK_GITHUB_API", "http://127.0.0.1:8700").rstrip("/")
    if not api.startswith("http://"):
        sys.exit("bench_aiohttp.py runs against the stand-in over plain HTTP (WORKBOOK_GITHUB_API=http://...)")
    urls = [f"{api}/repos/workbook-bench/repo-{i}" for i in range(args.repos)]

    try:
        stand_in(api, "/_stats/reset", method="POST")
    except OSError as error:
        sys.exit(f"cannot reach the stand-in's /_stats at {api}: {error}. Is it running?")
    # CPU is counted from here, as workbook-bench does: the fetching, not
    # starting Python and importing aiohttp.
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    results, threads = asyncio.run(run(args.variant, urls))
    wall_ms = (time.perf_counter() - start) * 1000
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats = stand_in(api, "/_stats")

    failed = sum(1 for r in results if isinstance(r, BaseException))
    concurrency = args.repos if args.variant == "python-talk" else min(args.repos, 100)
    ideal_ms = math.ceil(args.repos / concurrency) * args.latency
    cpu_ms = round((usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    row = {"model": args.variant, "workers": concurrency, "repos": args.repos, "latency_ms": args.latency,
           "wall_ms": round(wall_ms, 1), "max_in_flight": stats["max_in_flight"], "cpu_ms": cpu_ms,
           "peak_rss_kb": usage.ru_maxrss, "threads": threads, "processes": 1, "failed": failed, "ideal_ms": ideal_ms}
    if args.json:
        print(json.dumps(row))
    else:
        print(f"{args.variant:<14} {concurrency:7d} {args.repos:6d} {wall_ms:10.0f} {wall_ms / ideal_ms:7.2f}x "
              f"{stats['max_in_flight']:13d} {usage.ru_maxrss / 1024:10.1f} {cpu_ms:8d} {str(threads) + 't/1p':>10}")
    if failed:
        first = next(r for r in results if isinstance(r, BaseException))
        print(f"WARN: {args.variant}: {failed} of {args.repos} repositories failed, the first: {first!r}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
