#!/usr/bin/env python3
"""A TCP proxy that kills the server behind it at a chosen moment.

The fault matrix (fault-matrix.sh) uses it to kill a real Redis, memcached
or PostgreSQL in the middle of a chapter's demo, at the same point every
run: a sleep before `kill -9` would land anywhere between the demo's first
command and its exit, and a slower machine would move it.

    kill_proxy.py --target HOST:PORT --port-file F --after BYTES --kill PID [--tree]
    kill_proxy.py --target HOST:PORT --port-file F --record FILE

It listens on a free loopback port (written to F once listening) and relays
every connection to the target. Once BYTES bytes have gone from the clients
to the server (all connections counted together), it passes no more of
them, sends SIGKILL to PID (with --tree, to PID and every process under it:
PostgreSQL runs one backend per connection, and the postmaster alone dying
leaves them serving), and stops listening, so that a new connection is
refused as by a dead server. What the server had written before it died
still reaches the client; then each connection ends as the server's did:
a reset as a reset, an end of file as an end of file.

With --after 0 it kills nothing: it relays, and at the end says how many
bytes the clients sent (to choose BYTES). --record FILE appends every byte
a client sends to FILE, as it passes (secrets-test.sh reads the requests
there: a token must travel in the Authorization header and nowhere else). It reports on stdout ("killed
PIDS after N bytes at MICROSECONDS" since 1970, or "clients sent N bytes")
and ends once the server is killed and every connection has closed, or
after --max-seconds (or at SIGTERM).
"""

import argparse
import os
import selectors
import signal
import socket
import struct
import sys
import time


def descendants(pid):
    """PID and every process under it, parents first."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        found.append(p)
        todo.extend(children.get(p, []))
    return found


class Pipe:
    """One client connection and its connection to the server."""

    def __init__(self, client, server):
        self.client, self.server = client, server
        self.to_server = b""  # what the client sent and the server has not taken yet
        self.to_client = b""
        self.server_done = None  # None while open; "eof" or "reset" once it ended


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", required=True, help="HOST:PORT of the server")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--after", type=int, default=0, help="kill after this many bytes (0: never)")
    parser.add_argument("--kill", type=int, default=0, help="the server's process id")
    parser.add_argument("--tree", action="store_true", help="also every process under it")
    parser.add_argument("--record", help="append what the clients send to this file")
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()
    # Unbuffered, in append mode: a reader may empty the file between two
    # runs of a client, and the next bytes then start it again.
    record = open(args.record, "ab", buffering=0) if args.record else None
    host, port = args.target.rsplit(":", 1)

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.setblocking(False)
    # Written whole, then renamed: a reader never sees half a number.
    with open(args.port_file + ".tmp", "w") as f:
        f.write(f"{listener.getsockname()[1]}\n")
    os.rename(args.port_file + ".tmp", args.port_file)

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    pipes = []
    sent = 0  # bytes from the clients passed to the server
    killed = False
    deadline = time.monotonic() + args.max_seconds

    def stop(*_):
        nonlocal deadline
        deadline = 0  # SIGTERM: report and end at the next turn of the loop

    signal.signal(signal.SIGTERM, stop)

    def kill_server():
        nonlocal killed, listener
        pids = descendants(args.kill) if args.tree else [args.kill]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed = True
        selector.unregister(listener)
        listener.close()
        listener = None
        # The moment in microseconds since 1970, as bash's EPOCHREALTIME.
        print(f"killed {' '.join(map(str, pids))} after {sent} bytes at {time.time_ns() // 1000}", flush=True)

    def close(pipe):
        for s in (pipe.client, pipe.server):
            try:
                selector.unregister(s)
            except (KeyError, ValueError):
                pass
        if pipe.server_done == "reset":
            # SO_LINGER 0: close() sends a reset, as the server's kernel did.
            pipe.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        pipe.client.close()
        pipe.server.close()
        pipes.remove(pipe)

    def watch(pipe):
        # Read from the client only while the server is alive; write where
        # something waits to be written.
        for s, readable, pending in ((pipe.client, pipe.server_done is None and not killed, pipe.to_client),
                                     (pipe.server, pipe.server_done is None, pipe.to_server)):
            events = (selectors.EVENT_READ if readable else 0) | (selectors.EVENT_WRITE if pending else 0)
            try:
                selector.get_key(s)  # KeyError: not registered yet
                if events:
                    selector.modify(s, events, pipe)
                else:
                    selector.unregister(s)
            except KeyError:
                if events:
                    selector.register(s, events, pipe)

    while time.monotonic() < deadline:
        if killed and not pipes:
            break
        for key, events in selector.select(timeout=0.5):
            if key.fileobj is listener:
                client, _ = listener.accept()
                try:
                    server = socket.create_connection((host, int(port)))
                except OSError:
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    client.close()
                    continue
                client.setblocking(False)
                server.setblocking(False)
                pipe = Pipe(client, server)
                pipes.append(pipe)
                watch(pipe)
                continue
            pipe = key.data
            if pipe not in pipes:
                continue
            s = key.fileobj
            if events & selectors.EVENT_READ:
                try:
                    data = s.recv(65536)
                except (ConnectionResetError, OSError):
                    data = None
                if s is pipe.client:
                    if not data:  # the client closed: so does the server's side
                        close(pipe)
                        continue
                    if args.after and sent + len(data) >= args.after:
                        data = data[: args.after - sent]
                        pipe.to_server += data
                        sent += len(data)
                        # What the server has not read yet dies with it:
                        # the kill comes once the bytes are in its socket.
                        try:
                            n = pipe.server.send(pipe.to_server)
                            pipe.to_server = pipe.to_server[n:]
                        except OSError:
                            pass
                        kill_server()
                        for p in pipes:
                            watch(p)
                        continue
                    pipe.to_server += data
                    sent += len(data)
                    if record:
                        record.write(data)
                else:
                    if data is None:
                        pipe.server_done = "reset"
                    elif not data:
                        pipe.server_done = "eof"
                    else:
                        pipe.to_client += data
            if events & selectors.EVENT_WRITE:
                try:
                    if s is pipe.client:
                        n = s.send(pipe.to_client)
                        pipe.to_client = pipe.to_client[n:]
                    else:
                        n = s.send(pipe.to_server)
                        pipe.to_server = pipe.to_server[n:]
                except OSError:
                    if s is pipe.client:
                        close(pipe)
                        continue
                    pipe.server_done = "reset"
                    pipe.to_server = b""
            if pipe.server_done and not pipe.to_client:
                close(pipe)
                continue
            watch(pipe)

    if not killed:
        print(f"clients sent {sent} bytes", flush=True)
    for pipe in list(pipes):
        close(pipe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
