#!/usr/bin/env python3
"""aiohttp's client against one of the workbook's HTTP servers.

    aiohttp_client.py URL PATH MAX_PER_CONNECTION

run.py starts it with an interpreter that has aiohttp. It asks GET PATH ten
times one after another on a session limited to one connection, HEAD PATH
once, then fifty GETs at once over at most ten connections, and prints one
line: "ok ..." with what it saw, or what was wrong. MAX_PER_CONNECTION is how
many requests the server serves on a connection before it closes it (0: no
limit): the sequential requests must then need no more connections than that
allows.
"""

import asyncio
import json
import math
import sys

import aiohttp


async def main(base, path, max_per_connection):
    made = 0

    async def on_create(session, context, params):
        nonlocal made
        made += 1

    trace = aiohttp.TraceConfig()
    trace.on_connection_create_end.append(on_create)
    timeout = aiohttp.ClientTimeout(total=20)
    problems = []
    async with aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=1), trace_configs=[trace], timeout=timeout
    ) as session:
        bodies = []
        for _ in range(10):
            async with session.get(path) as response:
                bodies.append((response.status, await response.read()))
        sequential_connections = made
        async with session.head(path) as response:
            head_status = response.status
            head_length = response.headers.get("Content-Length")
            if await response.read():
                problems.append("the HEAD response had a body")
    first_status, first_body = bodies[0]
    for status, body in bodies:
        if (status, body) != (first_status, first_body):
            problems.append(f"answers differ: {first_status} {first_body[:80]!r} then {status} {body[:80]!r}")
            break
    try:
        json.loads(first_body)
    except ValueError as e:
        problems.append(f"the body is not JSON ({e}): {first_body[:80]!r}")
    allowed = 1 if max_per_connection == 0 else math.ceil(10 / max_per_connection)
    if sequential_connections > allowed:
        problems.append(
            f"10 sequential requests on a one-connection session took {sequential_connections} connections, expected {allowed}"
        )
    if head_status != first_status:
        problems.append(f"HEAD answered {head_status}, GET {first_status}")
    if head_length is not None and head_length != str(len(first_body)):
        problems.append(f"HEAD says Content-Length {head_length}, GET's body has {len(first_body)} bytes")

    async with aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=10), timeout=timeout
    ) as session:

        async def one():
            async with session.get(path) as response:
                return response.status, await response.read()

        answers = await asyncio.gather(*(one() for _ in range(50)), return_exceptions=True)
    failed = [a for a in answers if isinstance(a, BaseException)]
    wrong = [a for a in answers if not isinstance(a, BaseException) and a != (first_status, first_body)]
    if failed:
        problems.append(f"{len(failed)} of 50 concurrent requests failed, the first: {failed[0]!r}")
    if wrong:
        problems.append(f"{len(wrong)} of 50 concurrent answers differ, the first: {wrong[0][0]} {wrong[0][1][:80]!r}")
    if problems:
        print("; ".join(problems))
    else:
        print(
            f"ok {first_status}, 10 sequential on {sequential_connections} connection(s), HEAD {head_status}, 50 concurrent"
        )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
