#!/usr/bin/env python3
"""Slowloris clients for the load test (tests/support/load-extended.sh).

Each client sends a valid request one byte a second. The 37 bytes would
take 37 s, and the server's head deadline (10 s from the first byte) cuts
the connection off first: it closes it (or could answer 408). The client
notes that and opens a new connection, so the server holds `--clients`
slow connections the whole run, next to the normal load.

Usage: slow_clients.py PORT [--clients 100] [--seconds 60] [--host 127.0.0.1]
Prints one summary line (load-extended.sh reads its numbers), then one line
per kind of unexpected error. Plain stdlib asyncio: a coroutine per client,
as the server has one per connection.
"""
import argparse
import asyncio
import collections
import sys

REQUEST = b"GET /hello/slow HTTP/1.1\r\nHost: x\r\n\r\n"


class Tally:
    def __init__(self):
        self.opened = 0
        self.open_now = 0
        self.answered = 0
        self.cut_off = collections.Counter()  # how: "closed", "408", "reset"
        self.lifetimes = []  # first byte to cut-off, in seconds
        self.errors = collections.Counter()  # "Type: message" -> count


async def one_connection(host, port, tally):
    loop = asyncio.get_running_loop()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as e:
        tally.errors[f"connect: {type(e).__name__}: {e}"] += 1
        await asyncio.sleep(1)  # a refused connect must not turn into a busy loop
        return
    tally.opened += 1
    tally.open_now += 1
    # The server's first word, read while we trickle: an answer, a 408, or
    # EOF when the deadline closes the socket. Reading concurrently is what
    # notices the close at once, not at the next byte's failed write.
    reply = asyncio.ensure_future(reader.read(4096))
    started = loop.time()
    outcome = None
    try:
        for i in range(len(REQUEST)):
            try:
                writer.write(REQUEST[i : i + 1])
                await writer.drain()
            except ConnectionError:
                outcome = "reset"  # closed before we noticed: our byte met a closed socket
                break
            done, _ = await asyncio.wait({reply}, timeout=1.0)
            if done:
                break
        else:
            # Sent it all: the deadline did not fire. Wait for the answer.
            await asyncio.wait({reply}, timeout=10.0)
        lived = loop.time() - started
        if reply.done():
            try:
                data = reply.result()
            except ConnectionError:
                data = None
                outcome = "reset"
            if data == b"":
                outcome = "closed"
            elif data is not None and data.startswith(b"HTTP/1.1 408"):
                outcome = "408"
            elif data:
                if data.startswith(b"HTTP/"):
                    tally.answered += 1
                    return
                tally.errors[f"not HTTP: {data[:40]!r}"] += 1
                return
        if outcome is None:
            tally.errors["sent the whole request and got nothing back in 10 s"] += 1
            return
        tally.cut_off[outcome] += 1
        tally.lifetimes.append(lived)
    except OSError as e:
        tally.errors[f"{type(e).__name__}: {e}"] += 1
    finally:
        tally.open_now -= 1
        reply.cancel()
        writer.close()


async def client(host, port, tally):
    while True:
        await one_connection(host, port, tally)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()

    tally = Tally()
    tasks = [asyncio.create_task(client(args.host, args.port, tally)) for _ in range(args.clients)]
    await asyncio.sleep(args.seconds)
    held = tally.open_now  # read before cancelling: cancelling closes them
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    cut = sum(tally.cut_off.values())
    how = ", ".join(f"{tally.cut_off[k]} {k}" for k in ("closed", "408", "reset"))
    when = (
        f"; after {min(tally.lifetimes):.1f}-{max(tally.lifetimes):.1f} s" if tally.lifetimes else ""
    )
    print(
        f"slow clients: {args.clients} clients for {args.seconds:g} s, "
        f"{tally.opened} connections opened, {cut} cut off by the server ({how}{when}), "
        f"{tally.answered} answered, {held} held open at the end, "
        f"{sum(tally.errors.values())} unexpected errors"
    )
    for what, count in tally.errors.most_common():
        print(f"  unexpected: {what} (x{count})")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
