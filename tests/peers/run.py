#!/usr/bin/env python3
"""The peer suite: the workbook's servers and clients against real peers.

    python3 tests/peers/run.py [--build build/release] [--only SUBSTRING] [--list]

The servers (chapter 09's, the GitHub stand-in, chapter 10's) meet curl,
Python's http.client, aiohttp, ab, wrk and hand-made requests at the edges
of HTTP/1.1; the HTTP clients (chapters 01, 07, 08) meet nginx in front of
the stand-in; the Redis, memcached and PostgreSQL clients meet the real
servers, restarted and killed under them (tests/peers/clients.cpp drives
them). Each case prints one line, "ok    NAME" or "FAIL  NAME: what was
wrong" and the command that repeats it by hand; a missing tool skips its
cases. Everything it starts (on free loopback ports, in a temporary folder)
it stops again, Ctrl-C included. Exit status 1 if any case failed.

--verbose adds, under an ok, what the case saw (a status, a driver's line).
Three helpers for the repeat commands:
    run.py --wait PORT           waits (10 s at most) until 127.0.0.1:PORT accepts
    run.py --send PORT BYTES...  sends each BYTES (a Python bytes literal, or
                                 literals joined with + and repeated with *)
                                 and prints what comes back
    run.py --serve-nginx BASE    the stand-in on port BASE and nginx on the
                                 ports after it, as the suite ran them, until
                                 Ctrl-C

The driver of cases 3 to 5 is the build's tests/peers/workbook-peer-clients
(tests/peers/CMakeLists.txt).
"""

import argparse
import ast
import http.client
import json
import os
import queue
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SELF = "python3 tests/peers/run.py"


class Fail(Exception):
    """The case failed: the message says what was expected and what came."""


class Hung(Fail):
    """No complete response within the time allowed."""


class Skip(Exception):
    """The case cannot run here: the message says what is missing."""


# ------------------------------------------------------------------ helpers


# Cases that fail because of a library the workbook takes as the system
# ships it, not because of the workbook's code: the Fail's text must match
# the pattern (a case that fails some other way is a FAIL), and a known case
# that passes is a FAIL too, so the list cannot go stale. Each is said where
# a learner reads about it.
HTTPLIB = "cpp-httplib 0.11.4 (Debian 12's compiled library)"
CH10 = "chapters/10_httplib_server/README.md"
KNOWN = {
    "chapter10: wrk pipelined 10 deep": (
        r"answered", f"{HTTPLIB} answers the first of pipelined requests only: before each "
        "request it polls the socket, not the bytes it has already read, and the rest wait "
        "for the keep-alive timeout", CH10),
    "chapter10: 3 requests pipelined in one write": (
        # It waits out the keep-alive timeout, or closes after the first.
        r"1 answered|closed after 1 response", f"{HTTPLIB} answers the first of pipelined requests only", CH10),
    "chapter10: absolute-form target": (
        r"got 404", f"{HTTPLIB} matches routes against the whole absolute-form target", CH10),
    "chapter10: header section of 300 KB": (
        r"got 200", f"{HTTPLIB} limits each header line (8 KiB), not the head", CH10),
    "chapter10: Content-Length and Transfer-Encoding": (
        r"kept the connection open",
        f"{HTTPLIB} reads a body with both as chunked and keeps the connection", CH10),
    "chapter10: TE.CL smuggling (Transfer-Encoding, then Content-Length: 4)": (
        r"kept the connection open",
        f"{HTTPLIB} reads a body with both as chunked and keeps the connection", CH10),
    "chapter10: Transfer-Encoding gzip without chunked": (
        r"within 5\.0 s|after the 400 the server kept the connection open",
        f"{HTTPLIB} answers 400 and keeps the connection, at times only after its 5 s read "
        "timeout", CH10),
    "chapter10: two different Content-Lengths": (
        r"got 405", f"{HTTPLIB} takes the first of two Content-Lengths", CH10),
}


def missing_tool(program, package):
    if shutil.which(program) is None:
        raise Skip(f"{program} not installed (Debian package {package})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_port(port, seconds, what, proc=None, log=None):
    """Until 127.0.0.1:PORT accepts; Fail once `proc` has exited or time is up."""
    deadline = time.monotonic() + seconds
    while not accepts(port):
        if proc is not None and proc.poll() is not None:
            raise Fail(f"{what} exited with status {proc.returncode} before listening{log_tail(log)}")
        if time.monotonic() > deadline:
            raise Fail(f"{what} did not accept connections on port {port} within {seconds} s{log_tail(log)}")
        time.sleep(0.02)


def wait_for(predicate, seconds, what):
    """Polls `predicate` until it is true; Fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Fail(f"{what} did not happen within {seconds} s")
        time.sleep(0.02)


def log_tail(path, lines=5):
    if not path or not Path(path).exists():
        return ""
    text = Path(path).read_text(errors="replace").strip().splitlines()[-lines:]
    return ("; its log ends: " + " | ".join(text)) if text else ""


def short(data, n=120):
    """Bytes or text for a message: at most n characters, escapes visible."""
    if isinstance(data, bytes):
        text = repr(data[:n])[2:-1]
    else:
        text = repr(data[:n])[1:-1]
    return text + ("..." if len(data) > n else "")


def run(cmd, timeout, env=None, input=None):
    """Runs a command to its end: (exit status, stdout, stderr); Fail on a hang."""
    try:
        # A session of its own: Ctrl-C reaches this script, which ends the
        # command (subprocess.run kills it) and then cleans up in order.
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, input=input, cwd=ROOT,
                           start_new_session=True)
    except subprocess.TimeoutExpired:
        raise Fail(f"{shlex.join(map(str, cmd))} did not finish within {timeout} s")
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def bytes_expression(text):
    """The bytes a --send argument stands for: bytes literals, + and * by an integer only."""

    def value(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (bytes, int)):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            left, right = value(node.left), value(node.right)
            return left + right if isinstance(node.op, ast.Add) else left * right
        raise ValueError(f"not a bytes expression: {ast.dump(node)[:80]}")

    result = value(ast.parse(text, mode="eval").body)
    if not isinstance(result, bytes):
        raise ValueError("the expression is not bytes")
    return result


# --------------------------------------------------------- raw HTTP client


class Response:
    def __init__(self, version, status, reason, headers, body):
        self.version, self.status, self.reason = version, status, reason
        self.headers = headers  # [(lower-case name, value)] in order
        self.body = body

    def header(self, name):
        values = [v for n, v in self.headers if n == name]
        return ", ".join(values) if values else None

    def says_close(self):
        return "close" in [t.strip().lower() for t in (self.header("connection") or "").split(",")]

    def says_keep_alive(self):
        return "keep-alive" in [t.strip().lower() for t in (self.header("connection") or "").split(",")]

    def json(self):
        """The body as JSON; Fail if it is not UTF-8 JSON (RFC 8259 8.1)."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise Fail(f"the {self.status}'s body is not UTF-8 JSON ({e}): {short(self.body)}")

    def __str__(self):
        return f"{self.status} {self.reason}"


class Raw:
    """One connection that sends bytes exactly as given and reads responses."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.ended = None  # how the server ended the connection: "closed" (FIN) or "reset"
        self.timeout = timeout

    def close(self):
        self.sock.close()

    def send(self, data):
        """False if the server had already closed (what it sent is still read)."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def _more(self, deadline):
        if self.ended:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError
        except ConnectionResetError:
            self.ended = "reset"
            return False
        if not chunk:
            self.ended = "closed"
            return False
        self.buf += chunk
        return True

    def _need(self, n, deadline, what):
        while len(self.buf) < n:
            if not self._more(deadline):
                raise Fail(f"the connection was {self.ended} within {what}")

    def response(self, method="GET", timeout=None):
        """The next response; None if the connection ended before one began.
        An interim 1xx is returned like any other."""
        deadline = time.monotonic() + (timeout or self.timeout)
        try:
            while b"\r\n\r\n" not in self.buf:
                if not self._more(deadline):
                    if not self.buf:
                        return None
                    raise Fail(f"the connection was {self.ended} within a response head: {short(self.buf)}")
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            m = re.fullmatch(rb"HTTP/(\d\.\d) (\d{3}) ?(.*)", lines[0])
            if not m:
                raise Fail(f"not a status line: {short(lines[0])}")
            headers = []
            for line in lines[1:]:
                name, sep, value = line.partition(b":")
                if not sep or not name or name != name.strip():
                    raise Fail(f"not a header line in the response: {short(line)}")
                headers.append((name.decode("latin-1").lower(), value.strip().decode("latin-1")))
            status = int(m.group(2))
            r = Response(m.group(1).decode(), status, m.group(3).decode("latin-1"), headers, b"")
            if status < 200 or status in (204, 304) or method == "HEAD":
                return r
            if "chunked" in (r.header("transfer-encoding") or "").lower():
                body = b""
                while True:
                    while b"\r\n" not in self.buf:
                        if not self._more(deadline):
                            raise Fail(f"the connection was {self.ended} within a chunked body")
                    size_line, _, self.buf = self.buf.partition(b"\r\n")
                    size = int(size_line.split(b";")[0], 16)
                    if size == 0:
                        while not (self.buf.startswith(b"\r\n") or b"\r\n\r\n" in self.buf):
                            if not self._more(deadline):
                                raise Fail(f"the connection was {self.ended} within a chunked body's trailer")
                        end = 2 if self.buf.startswith(b"\r\n") else self.buf.index(b"\r\n\r\n") + 4
                        self.buf = self.buf[end:]
                        break
                    self._need(size + 2, deadline, "a chunk")
                    body += self.buf[:size]
                    self.buf = self.buf[size + 2 :]
                r.body = body
            elif r.header("content-length") is not None:
                n = int(r.header("content-length"))
                self._need(n, deadline, f"a body of {n} bytes (Content-Length)")
                r.body, self.buf = self.buf[:n], self.buf[n:]
            else:  # delimited by the end of the connection
                while self._more(deadline):
                    pass
                r.body, self.buf = self.buf, b""
            return r
        except TimeoutError:
            raise Hung(
                f"no complete response within {timeout or self.timeout} s (the server hung); it sent {short(self.buf) or 'nothing'}"
            )

    def final_response(self, method="GET", timeout=None):
        """The next response that is not an interim 1xx."""
        while True:
            r = self.response(method, timeout)
            if r is None or r.status >= 200 or r.status == 101:
                return r

    def ends(self, seconds=2.0):
        """How the connection goes on with nothing more sent: "closed", "reset",
        "open" (nothing within `seconds`) or "data" (bytes nobody asked for)."""
        if self.buf:
            return "data"
        try:
            if self._more(time.monotonic() + seconds):
                return "data"
        except TimeoutError:
            return "open"
        return self.ended


# ------------------------------------------------------------ the context


class Server:
    def __init__(self, name, cmd, port, proc, log):
        self.name, self.cmd, self.port, self.proc, self.log = name, cmd, port, proc, log

    def alive(self):
        return self.proc.poll() is None

    def by_hand(self, probe):
        """A shell command that starts this server as the suite did, runs `probe`, and stops it."""
        return f"{shlex.join(self.cmd)} & {SELF} --wait {self.port} && {probe}; kill $!"


class Context:
    def __init__(self, build):
        self.build = build
        self.tmp = Path(tempfile.mkdtemp(prefix="workbook-peers."))
        self.procs = []  # (Popen, what), stopped at the end
        self.servers = {}
        self.cleanups = []  # callables, last first
        self.repeat = None  # set by a case before it checks: how to repeat it by hand
        self.detail = None  # what an ok case saw, for --verbose

    def binary(self, relative):
        path = self.build / relative
        if not path.exists():
            hint = " (./workbook test --extended builds everything the suite runs)" if relative == DRIVER else ""
            raise Fail(
                f"{path} is not built: cmake --preset release && cmake --build {self.build} -j1 --target "
                + Path(relative).name + hint
            )
        return path

    def start(self, cmd, what, log_name, **kw):
        log = self.tmp / log_name
        out = open(log, "ab")
        # A session of its own: Ctrl-C in the terminal reaches this script
        # only, and the finally below stops the process in order.
        proc = subprocess.Popen(
            cmd, stdin=kw.pop("stdin", subprocess.DEVNULL), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=ROOT, **kw
        )
        out.close()
        self.procs.append((proc, what))
        return proc, log

    def server(self, name, key=None):
        """One of the servers under test, started once (per key) on a free port."""
        key = key or name
        if key in self.servers:
            return self.servers[key]
        spec = SERVERS[name]
        exe = self.binary(spec["binary"])
        port = free_port()
        cmd = [str(exe.relative_to(ROOT) if exe.is_relative_to(ROOT) else exe)]
        cmd += [a.replace("{port}", str(port)) for a in spec["args"]]
        proc, log = self.start(cmd, key, f"{key}.log")
        wait_port(port, 10, key, proc, log)
        self.servers[key] = Server(name, cmd, port, proc, log)
        return self.servers[key]

    def stop_all(self):
        # A second Ctrl-C (or a signal sent to the whole process group) must
        # not cut the cleaning up short and leave servers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as e:  # cleaning up must go on
                print(f"      cleanup: {e}", file=sys.stderr)
        for proc, _ in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc, what in reversed(self.procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.cleanups, self.procs = [], []
        shutil.rmtree(self.tmp, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)


# ------------------------------------------------ the servers under test

# good: a path answered 200 with JSON; check(body): whether that JSON is right.
# name_path(n): the path that carries a client's name (a route parameter, or
# the owner of a repository); name_ok: what a valid name gets.
# post: a path and the status a POST with a body gets there.
SERVERS = {
    "chapter09": {
        "binary": "chapter09",
        "args": ["--serve", "--port", "{port}"],
        "good": "/",
        "check": lambda j: j == {"message": "Hello World"},
        "name_path": lambda n: "/hello/" + n,
        "name_ok": 200,
        "post": ("/", 405),
        "per_connection": 0,
    },
    "fake-github": {
        "binary": "shared/fake-github",
        "args": ["--port", "{port}", "--latency", "0", "--quiet"],
        "good": "/repos/nlohmann/json",
        "check": lambda j: isinstance(j, dict) and j.get("full_name") == "nlohmann/json",
        "name_path": lambda n: f"/repos/{n}/json",
        "name_ok": 404,  # no such repository: GitHub's JSON 404
        "post": ("/_stats/reset", 200),
        "per_connection": 0,
    },
    "chapter10": {
        "binary": "chapter10",
        "args": ["--serve", "--port", "{port}"],
        "good": "/",
        "check": lambda j: j == {"message": "Hello World"},
        "name_path": lambda n: "/hello/" + n,
        "name_ok": 200,
        "post": ("/", 405),
        # cpp-httplib closes a keep-alive connection after 5 requests: its
        # documented default (set_keep_alive_max_count), not a defect.
        "per_connection": 5,
    },
}


def url(srv, path):
    return f"http://127.0.0.1:{srv.port}{path}"


def head_of(path, host, extra=b"", method=b"GET", version=b"HTTP/1.1"):
    return method + b" " + path + b" " + version + b"\r\nHost: " + host + b"\r\n" + extra + b"\r\n"


def send_probe(srv, exprs):
    return f"{SELF} --send {srv.port} " + " ".join(shlex.quote(e) for e in exprs)


def check_good(srv, r, what="the follow-up GET"):
    spec = SERVERS[srv.name]
    if r is None:
        raise Fail(f"{what} {spec['good']} got no answer: the server closed the connection")
    if r.status != 200:
        raise Fail(f"{what} {spec['good']}: expected 200, got {r}: {short(r.body)}")
    if not spec["check"](r.json()):
        raise Fail(f"{what} {spec['good']}: expected its JSON, got {short(r.body)}")


def raw_exchange(ctx, srv, expr, *, statuses, after, method="GET", why="", on_response=None):
    """Sends the bytes `expr` stands for on a new connection; checks the
    first final response's status is in `statuses` and then `after`:
      "open"       the connection serves a next request (a GET of the good path),
      "closed"     the server closes it (RFC: the connection cannot go on),
      "consistent" closed if the response said Connection: close, else open.
    `why` names the RFC section that decides; `on_response(r)` checks more."""
    spec = SERVERS[srv.name]
    follow = lit(head_of(spec["good"].encode(), b"127.0.0.1"))
    ctx.repeat = srv.by_hand(send_probe(srv, [expr] + ([follow] if after != "closed" else [])))
    because = f" ({why})" if why else ""
    data = bytes_expression(expr)
    c = Raw(srv.port)
    try:
        c.send(data)
        started = time.monotonic()
        try:
            r = c.final_response(method)
        except Hung as e:
            # How long past the deadline the answer came, if it did: a
            # server that answers only when its read timeout fires is stuck
            # waiting for bytes the request said were not coming.
            try:
                late = c.final_response(method, timeout=6)
                then = f"{late}, {time.monotonic() - started:.1f} s after the request" if late else f"nothing; the connection was {c.ended}"
            except Fail:
                then = "nothing in 6 s more"
            raise Fail(f"{e}; then it answered {then}")
        if r is None:
            raise Fail(f"expected {' or '.join(map(str, sorted(statuses)))}{because}, got no answer: the connection was {c.ended}")
        if r.status not in statuses:
            raise Fail(f"expected {' or '.join(map(str, sorted(statuses)))}{because}, got {r}: {short(r.body)}")
        if (r.header("content-type") or "").startswith("application/json"):
            r.json()
        if on_response:
            on_response(r)
        ctx.detail = f"{r}{', Connection: ' + r.header('connection') if r.header('connection') else ''}"
        mode = after
        if after == "consistent":
            mode = "closed" if r.says_close() else "open"
        if mode == "closed":
            how = c.ends()
            if how == "open":
                said = "said Connection: close but " if r.says_close() else ""
                raise Fail(f"after the {r.status} the server {said}kept the connection open, expected it closed{because}")
            if how == "data":
                raise Fail(f"after the {r.status} came bytes nobody asked for: {short(c.buf)}")
        else:
            if not c.send(bytes_expression(follow)):
                raise Fail(f"after the {r.status} (no Connection: close) the server had closed the connection")
            r2 = c.response()
            if r2 is None:
                raise Fail(
                    f"after the {r.status} (no Connection: close) the connection was {c.ended} instead of serving the next request"
                )
            check_good(srv, r2)
        return r
    finally:
        c.close()


# ------------------------------------------------------- case 1: servers

CASES = []  # (name, function of the context)


def lit(data):
    """A bytes literal as --send reads it, in double quotes (a shell's single
    quotes then hold it as it is)."""
    escapes = {b"\r"[0]: "\\r", b"\n"[0]: "\\n", b"\t"[0]: "\\t", b"\\"[0]: "\\\\", b'"'[0]: '\\"'}
    text = "".join(escapes.get(c) or (chr(c) if 32 <= c < 127 else f"\\x{c:02x}") for c in bytes(data))
    return f'b"{text}"'


def http_cases(sname):
    spec = SERVERS[sname]
    good = spec["good"].encode()
    host = b"127.0.0.1"
    name_path = lambda n: spec["name_path"](n.decode("latin-1")).encode("latin-1")  # noqa: E731

    def add(what, fn):
        CASES.append((f"{sname}: {what}", lambda ctx: fn(ctx, ctx.server(sname))))

    def get(target, extra=b"", method=b"GET", version=b"HTTP/1.1"):
        return lit(head_of(target, host, extra, method, version))

    def good_json(r):
        if not spec["check"](r.json()):
            raise Fail(f"expected the JSON of {spec['good']}, got {short(r.body)}")

    # ---- curl
    def curl_cmd(*parts):
        return ["curl"] + next_part(*parts)

    def next_part(*parts):  # the options of a request after --next
        return ["-s", "--max-time", "10"] + list(parts)

    def curl_keep_alive(ctx, srv):
        missing_tool("curl", "curl")
        w = "%{http_code} %{num_connects}\\n"
        u = url(srv, spec["good"])
        cmd = curl_cmd("-o", "/dev/null", "-w", w, u) + ["--next"] + next_part("-o", "/dev/null", "-w", w, u)
        ctx.repeat = srv.by_hand(shlex.join(cmd))
        code, out, err = run(cmd, 20)
        if out != "200 1\n200 0\n":
            raise Fail(f"expected '200 1' then '200 0' (code, new connections), got {out!r} (curl exit {code})")

    def curl_head(ctx, srv):
        missing_tool("curl", "curl")
        u = url(srv, spec["good"])
        cmd = curl_cmd("-I", "-o", "/dev/null", "-w", "%{http_code} %{num_connects} %header{content-length}\\n", u)
        cmd += ["--next"] + next_part("-o", "/dev/null", "-w", "%{http_code} %{num_connects} %{size_download}\\n", u)
        ctx.repeat = srv.by_hand(shlex.join(cmd))
        code, out, err = run(cmd, 20)
        lines = out.split("\n")
        if code != 0 or len(lines) < 2:
            raise Fail(f"curl exit {code}: {out!r} {err.strip()}")
        head, getl = lines[0].split(" "), lines[1].split(" ")
        if head[:2] != ["200", "1"] or getl[:2] != ["200", "0"]:
            raise Fail(f"expected HEAD '200 1 ...' then GET '200 0 ...' on the same connection, got {out!r}")
        if len(head) > 2 and head[2] and head[2] != getl[2]:
            raise Fail(f"HEAD says Content-Length {head[2]}, the GET's body has {getl[2]} bytes (RFC 9110 9.3.2)")

    def curl_expect(ctx, srv):
        missing_tool("curl", "curl")
        path, status = spec["post"]
        cmd = curl_cmd("-o", "/dev/null", "-w", "%{http_code} %{time_total}\\n", "--expect100-timeout", "3",
                       "-H", "Expect: 100-continue", "--data-binary", "name=Ana", url(srv, path))
        cmd += ["--next"] + next_part("-o", "/dev/null", "-w", "%{http_code}\\n", url(srv, spec["good"]))
        ctx.repeat = srv.by_hand(shlex.join(cmd))
        code, out, err = run(cmd, 20)
        lines = out.split()
        if len(lines) < 3:
            raise Fail(f"curl exit {code}: {out!r} {err.strip()}")
        if lines[0] != str(status):
            raise Fail(f"POST {path} with Expect: 100-continue: expected {status}, got {lines[0]}")
        if float(lines[1]) >= 2.5:
            raise Fail(
                f"POST {path} took {lines[1]} s: curl waited out its 3 s expect100-timeout, the server sent neither "
                "100 Continue nor a final status on seeing the head (RFC 9110 10.1.1: it MUST send one at once)"
            )
        if lines[2] != "200":
            raise Fail(f"the GET after the POST: expected 200, got {lines[2]}")

    def curl_chunked(ctx, srv):
        missing_tool("curl", "curl")
        path, status = spec["post"]
        cmd = curl_cmd("-o", "/dev/null", "-w", "%{http_code} %header{connection}\\n", "-H",
                       "Transfer-Encoding: chunked", "--data-binary", "name=Ana", url(srv, path))
        cmd += ["--next"] + next_part("-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n", url(srv, spec["good"]))
        ctx.repeat = srv.by_hand(shlex.join(cmd))
        code, out, err = run(cmd, 20)
        lines = out.split("\n")
        if len(lines) < 2:
            raise Fail(f"curl exit {code}: {out!r} {err.strip()}")
        first, second = lines[0].split(" ", 1), lines[1].split(" ")
        if first[0] != str(status):
            raise Fail(f"POST {path} with a chunked body: expected {status}, got {lines[0]!r}")
        closed = "close" in first[1].lower() if len(first) > 1 else False
        if second[0] != "200" or (not closed and second[1:] != ["0"]):
            raise Fail(
                f"the GET after the chunked POST: expected 200 on the same connection (0 new), got {lines[1]!r}; "
                "the server did not read the chunked body to its end"
            )

    add("curl keep-alive over --next", curl_keep_alive)
    add("curl HEAD then GET", curl_head)
    add("curl Expect: 100-continue", curl_expect)
    add("curl chunked request body", curl_chunked)

    # ---- Python's http.client
    def python_keep_alive(ctx, srv):
        n = spec["per_connection"] or 10
        paths = [spec["good"] if i % 2 == 0 else spec["name_path"]("Ana") for i in range(n + 1)]
        probe = (
            "python3 -c 'import http.client as h; c = h.HTTPConnection(\"127.0.0.1\", %d); "
            "[(c.request(\"GET\", p), (s := c.sock), (r := c.getresponse()), "
            "print(r.status, r.getheader(\"Connection\"), s.getsockname(), r.read()[:60])) for p in %s]'"
            % (srv.port, json.dumps(paths))
        )
        ctx.repeat = srv.by_hand(probe)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        first = None
        try:
            for i, path in enumerate(paths):
                try:
                    conn.request("GET", path)
                    sock = conn.sock
                    r = conn.getresponse()
                    body = r.read()
                except (OSError, http.client.HTTPException) as e:
                    raise Fail(f"request {i + 1} of {len(paths)} (GET {path}) on one connection: {e!r}")
                want = 200 if path == spec["good"] else spec["name_ok"]
                if r.status != want:
                    raise Fail(f"request {i + 1} GET {path}: expected {want}, got {r.status} {short(body)}")
                if i == 0:
                    first = sock
                elif i < n and sock is not first:
                    raise Fail(f"request {i + 1} needed a new connection: the server closed the first after {i}")
                if i == n - 1 and spec["per_connection"] and not r.will_close:
                    raise Fail(
                        f"response {n} did not say Connection: close, yet the server closes after {n} requests"
                    )
                if i < n - 1 and r.will_close:
                    raise Fail(f"response {i + 1} closed the connection (Connection: close), expected it kept alive")
        finally:
            conn.close()

    add("http.client keep-alive", python_keep_alive)

    # ---- aiohttp
    def aiohttp_client(ctx, srv):
        python = aiohttp_python()
        cmd = [python, str(HERE / "aiohttp_client.py"), f"http://127.0.0.1:{srv.port}", spec["good"],
               str(spec["per_connection"])]
        ctx.repeat = srv.by_hand(shlex.join([python, "tests/peers/aiohttp_client.py"] + cmd[2:]))
        code, out, err = run(cmd, 60)
        line = out.strip().splitlines()[-1] if out.strip() else ""
        if code != 0 or not line.startswith("ok"):
            raise Fail(line or f"exit {code}: {err.strip()[-300:]}")

    add("aiohttp client", aiohttp_client)

    # ---- ab
    def ab(ctx, srv):
        missing_tool("ab", "apache2-utils")
        n = 2000
        cmd = ["ab", "-k", "-q", "-n", str(n), "-c", "8", "-s", "10", url(srv, spec["good"])]
        ctx.repeat = srv.by_hand(shlex.join(cmd))
        code, out, err = run(cmd, 90)
        numbers = dict(re.findall(r"^(Complete requests|Failed requests|Non-2xx responses|Keep-Alive requests):\s+(\d+)",
                                  out, re.M))
        if code != 0 or "Complete requests" not in numbers:
            raise Fail(f"ab exit {code}: {err.strip()[-300:] or out[-300:]}")
        got = {k: int(v) for k, v in numbers.items()}
        k = spec["per_connection"]
        kept = n * (k - 1) // k if k else n
        problems = []
        if got["Complete requests"] != n:
            problems.append(f"{got['Complete requests']} of {n} complete")
        if got.get("Failed requests", 0):
            problems.append(f"{got['Failed requests']} failed")
        if got.get("Non-2xx responses", 0):
            problems.append(f"{got['Non-2xx responses']} not 2xx")
        if got.get("Keep-Alive requests", 0) < kept:
            problems.append(f"{got.get('Keep-Alive requests', 0)} kept alive, expected at least {kept} (HTTP/1.0 keep-alive)")
        if problems:
            raise Fail(f"ab -k, {n} requests: " + ", ".join(problems))

    add("ab -k (HTTP/1.0 keep-alive)", ab)

    # ---- wrk, pipelined
    def wrk(ctx, srv):
        missing_tool("wrk", "wrk")
        cmd = ["wrk", "-t1", "-c4", "-d2s", "--timeout", "2s", "-s", "tests/peers/pipeline.lua",
               url(srv, spec["good"]), "--", "10"]
        ctx.repeat = srv.by_hand(shlex.join(cmd))
        code, out, err = run(cmd, 30)
        m = re.search(r"wrk-result requests=(\d+) connect=(\d+) read=(\d+) write=(\d+) status=(\d+) timeout=(\d+)", out)
        if code != 0 or not m:
            raise Fail(f"wrk exit {code}: {(err or out).strip()[-300:]}")
        requests, *errors = map(int, m.groups())
        names = ["connect", "read", "write", "status (4xx/5xx)", "timeout"]
        bad = [f"{e} {name} errors" for e, name in zip(errors, names) if e]
        if requests < 100 or bad:
            raise Fail(f"10 requests pipelined per write, 2 s: {requests} answered" + (", " + ", ".join(bad) if bad else ""))

    add("wrk pipelined 10 deep", wrk)

    # ---- by hand: one request, exact bytes
    def add_raw(what, expr, statuses, after, method="GET", why="", check=None):
        add(what, lambda ctx, srv: raw_exchange(ctx, srv, expr(srv) if callable(expr) else expr,
                                                statuses=statuses, after=after, method=method, why=why,
                                                on_response=check))

    def head_check(ctx, srv):
        ctx.repeat = srv.by_hand(send_probe(srv, [get(good, method=b"HEAD"), get(good)]))
        c = Raw(srv.port)
        try:
            c.send(bytes_expression(get(good, method=b"HEAD")))
            r = c.response("HEAD")
            if r is None or r.status != 200:
                raise Fail(f"HEAD {spec['good']}: expected 200, got {r or 'no answer: ' + str(c.ended)}")
            c.send(bytes_expression(get(good)))
            r2 = c.response()
            if r2 is None:
                raise Fail(f"the GET after the HEAD got no answer: the connection was {c.ended}")
            if r2.status != 200:
                raise Fail(f"the GET after the HEAD: expected 200, got {r2} {short(r2.body)} (did the HEAD send a body?)")
            good_json(r2)
            if r.header("content-length") not in (None, str(len(r2.body))):
                raise Fail(
                    f"HEAD says Content-Length {r.header('content-length')}, GET's body is {len(r2.body)} bytes (RFC 9110 9.3.2)"
                )
        finally:
            c.close()

    add("HEAD then GET on one connection", head_check)

    def pipelined(ctx, srv):
        exprs = [get(good), get(name_path(b"Ana")), get(good)]
        ctx.repeat = srv.by_hand(send_probe(srv, [" + ".join(exprs)]))
        c = Raw(srv.port)
        try:
            c.send(bytes_expression(" + ".join(exprs)))
            for i, want in enumerate([200, spec["name_ok"], 200]):
                try:
                    r = c.response()
                except Hung as e:
                    raise Fail(f"3 requests in one write: {i} answered, then {e}")
                if r is None:
                    raise Fail(f"3 requests in one write: the connection was {c.ended} after {i} responses")
                if r.status != want:
                    raise Fail(f"3 requests in one write: response {i + 1} expected {want}, got {r} {short(r.body)}")
                if i != 1:
                    good_json(r)
        finally:
            c.close()

    add("3 requests pipelined in one write", pipelined)

    def date_header(r):
        if not r.header("date"):
            raise Fail("the 200 has no Date header: an origin server with a clock MUST send one (RFC 9110 6.6.1)")
        try:
            time.strptime(r.header("date"), "%a, %d %b %Y %H:%M:%S GMT")
        except ValueError:
            raise Fail(f"Date {r.header('date')!r} is not an IMF-fixdate (RFC 9110 5.6.7)")

    add_raw("Date header", get(good), {200}, "open", check=date_header)
    add_raw("HTTP/1.0 without keep-alive", get(good, version=b"HTTP/1.0"), {200}, "closed",
            why="RFC 9112 9.3: an HTTP/1.0 request without keep-alive ends its connection", check=good_json)

    def ten_keep_alive(ctx, srv):
        expr = lit(b"GET " + good + b" HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        c = Raw(srv.port)
        ctx.repeat = srv.by_hand(send_probe(srv, [expr, expr]))
        try:
            for i in range(2):
                c.send(bytes_expression(expr))
                r = c.response()
                if r is None:
                    raise Fail(f"HTTP/1.0 keep-alive request {i + 1}: no answer, the connection was {c.ended}")
                if r.status != 200:
                    raise Fail(f"HTTP/1.0 keep-alive request {i + 1}: expected 200, got {r}")
                good_json(r)
                if not r.says_keep_alive():
                    how = c.ends()
                    if how != "closed" and how != "reset":
                        raise Fail(
                            "the response to an HTTP/1.0 keep-alive request lacks Connection: keep-alive, so the "
                            f"client must take it as closing (RFC 9112 9.3), yet the connection stayed {how}"
                        )
                    return
                if r.header("content-length") is None:
                    raise Fail("a kept-alive HTTP/1.0 response without Content-Length cannot be delimited")
        finally:
            c.close()

    add("HTTP/1.0 with keep-alive", ten_keep_alive)
    add_raw("absolute-form target",
            lambda srv: lit(head_of(b"http://127.0.0.1:%d" % srv.port + good, b"127.0.0.1:%d" % srv.port)),
            {200}, "open", why="RFC 9112 3.2.2: a server MUST accept the absolute-form", check=good_json)

    prefix = b"GET " + name_path(b"")
    suffix = b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    n8k = 8000 - len(prefix) - len(b" HTTP/1.1")
    long_ok = {spec["name_ok"]}

    def long_name(r):
        if spec["name_ok"] == 200 and r.json() != {"message": "Hello, " + "a" * n8k}:
            raise Fail(f"expected Hello, a...a ({n8k} a), got {short(r.body)}")

    add_raw("request line of 8000 octets", f'{lit(prefix)} + b"a"*{n8k} + {lit(suffix)}', long_ok, "open",
            why="RFC 9112 3: recipients are RECOMMENDED to support request lines of 8000 octets", check=long_name)
    add_raw("URL of 8 KB", f'{lit(prefix)} + b"a"*8192 + {lit(suffix)}', {spec["name_ok"], 400, 414, 431}, "consistent",
            why="an answer, never a silent close: RFC 9112 3 (414), RFC 6585 5 (431)")
    add_raw("URL of 100 KB", f'{lit(prefix)} + b"a"*100000 + {lit(suffix)}', {400, 414, 431}, "consistent",
            why="an answer, never a silent close: RFC 9112 3 (414), RFC 6585 5 (431)")
    request_line = lit(b"GET " + good + b" HTTP/1.1\r\n")
    host_end = lit(b"Host: 127.0.0.1\r\n\r\n")
    add_raw("100 header fields", f'{request_line} + b"X-Peer-Field: some value\\r\\n"*100 + {host_end}',
            {200}, "open", check=good_json)
    add_raw("header section of 300 KB",
            f'{request_line} + (b"X-Peer-Field: " + b"v"*100 + b"\\r\\n")*2600 + {host_end}', {400, 431},
            "consistent", why="a head over the server's limit: 431 (RFC 6585 5), never a silent close")
    add_raw("obs-fold header line", get(good, b"X-Folded: first\r\n second\r\n"), {400, 200}, "consistent",
            why="RFC 9112 5.2: reject with 400 or replace the fold with spaces")
    post_path = spec["post"][0].encode()
    post_status = spec["post"][1]
    add_raw("Content-Length and Transfer-Encoding",
            lit(head_of(post_path, host, b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"POST") + b"0\r\n\r\n"),
            {400, post_status}, "closed", why="RFC 9112 6.1: the server MUST close the connection after responding")
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    te_cl_body = b"%x\r\n" % len(smuggled) + smuggled + b"\r\n0\r\n\r\n"
    add_raw("TE.CL smuggling (Transfer-Encoding, then Content-Length: 4)",
            lit(head_of(post_path, host, b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", b"POST") + te_cl_body),
            {400, post_status}, "closed",
            why="RFC 9112 6.1: the server MUST close the connection after responding; nothing for /smuggled")
    add_raw("Transfer-Encoding gzip without chunked",
            lit(head_of(post_path, host, b"Transfer-Encoding: gzip\r\n", b"POST") + b"abc"), {400}, "closed",
            why="RFC 9112 6.3: chunked not final in a request: 400, then close")
    add_raw("two different Content-Lengths",
            lit(head_of(post_path, host, b"Content-Length: 3\r\nContent-Length: 4\r\n", b"POST") + b"abcd"), {400},
            "closed", why="RFC 9112 6.3: an invalid Content-Length is an unrecoverable error: 400, then close")
    add_raw("OPTIONS *", get(b"*", method=b"OPTIONS"), {200, 204, 404, 405, 501}, "open",
            why="RFC 9110 9.3.7: a valid request about the server itself")
    add_raw("lowercase method get", get(good, method=b"get"), {400, 405, 501}, "consistent",
            why="RFC 9110 9.1: methods are case-sensitive, get is not GET (SHOULD 501)")
    add_raw("raw UTF-8 bytes in the path", get(name_path(b"\xc3\xa9")), {400, 301, spec["name_ok"]}, "consistent",
            why="RFC 9112 3.2: an invalid target SHOULD get 400 or 301")
    add_raw("raw byte 0xE9 in the path", get(name_path(b"\xe9")), {400, 301, 404}, "consistent",
            why="RFC 9112 3.2: an invalid target SHOULD get 400 or 301")
    add_raw("NUL byte in the path", get(name_path(b"a\x00b")), {400}, "consistent",
            why="RFC 9112 3.2: a NUL is never part of a target")
    add_raw("non-ASCII bytes in a header value", get(good, b"X-Name: caf\xc3\xa9 \xe9\r\n"), {200}, "open",
            why="RFC 9110 5.5: obs-text is allowed in field values", check=good_json)
    add_raw("NUL byte in a header value", get(good, b"X-Name: a\x00b\r\n"), {400, 200}, "consistent",
            why="RFC 9110 5.5: reject the message, or replace the NUL with SP")

    def error_json(r):
        j = r.json()
        if not isinstance(j, dict) or not j.get("message") and j.get("status") != r.status:
            raise Fail(f"the {r.status}'s JSON does not say what was wrong: {short(r.body)}")

    bad_name = {400} if spec["name_ok"] == 200 else {400, 404}
    for escape in ["%E9", "%FF", "%C3", "%C0%AF"]:
        add_raw(f"GET {spec['name_path'](escape)}", get(name_path(escape.encode())), bad_name, "open",
                why="not UTF-8: a JSON 4xx, and the connection serves on", check=error_json)

    def hello_e(r):
        if spec["name_ok"] == 200 and r.json() != {"message": "Hello, é"}:
            raise Fail(f"expected {{\"message\": \"Hello, é\"}}, got {short(r.body)}")

    add_raw(f"GET {spec['name_path']('%C3%A9')}", get(name_path(b"%C3%A9")), {spec["name_ok"]}, "open", check=hello_e)

    def still_alive(ctx, srv):
        ctx.repeat = srv.by_hand(shlex.join(["curl", "-si", url(srv, spec["good"])]))
        if not srv.alive():
            raise Fail(f"the process exited with status {srv.proc.returncode}{log_tail(srv.log)}")
        c = Raw(srv.port)
        try:
            c.send(bytes_expression(get(good)))
            check_good(srv, c.response(), "GET")
        finally:
            c.close()

    add("alive and answering after the group", still_alive)


_aiohttp = []


def aiohttp_python():
    """An interpreter that can import aiohttp (this one, /usr/bin/python3, ...)."""
    if not _aiohttp:
        for candidate in [sys.executable, "/usr/bin/python3", shutil.which("python3"), "/usr/local/bin/python3"]:
            if candidate and Path(candidate).exists():
                probe = subprocess.run([candidate, "-c", "import aiohttp"], capture_output=True)
                if probe.returncode == 0:
                    _aiohttp.append(candidate)
                    break
        else:
            _aiohttp.append(None)
    if _aiohttp[0] is None:
        raise Skip("aiohttp not installed (Debian package python3-aiohttp)")
    return _aiohttp[0]


for _name in SERVERS:
    http_cases(_name)


# --------------------------------------------------- case 2: clients, nginx

# nginx in front of a stand-in of its own (tests/peers/nginx.conf.in), one
# server block per peculiarity, each with its scheme and its placeholder.
NGINX_SITES = {
    "proxy": ("http", "PROXY"),
    "keepalive_requests 1": ("http", "KEEPALIVE_REQUESTS_1"),
    "gzip": ("http", "GZIP"),
    "301 to the new path": ("http", "MOVED"),
    "HTTPS": ("https", "HTTPS"),
    "HTTPS, gzip, keepalive_requests 1 and 301": ("https", "EVERYTHING"),
    "redirect loop": ("http", "LOOP"),
}


def consecutive_free_ports(count):
    """The first of `count` free loopback ports in a row: the stand-in's and
    nginx's, so that one number (--serve-nginx BASE) repeats the setup."""
    import random

    for _ in range(100):
        base = random.randrange(20000, 60000)
        taken = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                taken.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in taken:
                s.close()
    raise Fail(f"found no {count} free ports in a row")


class Nginx:
    """The stand-in on port BASE, nginx on BASE+1 ... one port per site."""

    def __init__(self, ctx, base=None):
        missing_tool("nginx", "nginx-light")
        certs = ctx.build / "certs"
        if not (certs / "server.pem").exists():
            raise Fail(f"{certs}/server.pem is missing: cmake --build {ctx.build} -j1 --target workbook_certs")
        self.base = base or consecutive_free_ports(len(NGINX_SITES) + 1)
        exe = ctx.binary("shared/fake-github")
        cmd = [str(exe), "--port", str(self.base), "--latency", "0", "--quiet"]
        proc, log = ctx.start(cmd, "stand-in behind nginx", "stand-in-behind-nginx.log")
        wait_port(self.base, 10, "the stand-in behind nginx", proc, log)
        self.upstream = Server("fake-github", cmd, self.base, proc, log)
        self.dir = ctx.tmp / "nginx"
        (self.dir / "temp").mkdir(parents=True)
        # Its workers run as nobody when started as root: their temp folder is open to them.
        os.chmod(self.dir, 0o755)
        os.chmod(self.dir / "temp", 0o777)
        self.ports = {site: self.base + 1 + i for i, site in enumerate(NGINX_SITES)}
        conf = (HERE / "nginx.conf.in").read_text()
        fill = {"DIR": str(self.dir), "CERTS": str((ROOT / certs).resolve()), "UPSTREAM": str(self.base)}
        fill.update({placeholder: str(self.ports[site]) for site, (_, placeholder) in NGINX_SITES.items()})
        for name, value in fill.items():
            conf = conf.replace(f"@{name}@", value)
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(conf)
        self.proc, self.log = ctx.start(
            ["nginx", "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.dir / "error.log")], "nginx", "nginx.log"
        )
        for site, port in self.ports.items():
            wait_port(port, 10, f"nginx ({site})", self.proc, self.dir / "error.log")

    def access_log(self, port):
        path = self.dir / "access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        return [line for line in lines if line.startswith(f"{port} ")]


def nginx(ctx):
    if "nginx" not in ctx.servers:
        ctx.servers["nginx"] = Nginx(ctx)
    return ctx.servers["nginx"]


REPO_LINE = re.compile(r"^\{name: .*\}$", re.M)


def run_chapter(ctx, chapter, api, ca=None):
    """Runs a client chapter against `api`: (exit status, repository lines, stdout, stderr, command)."""
    exe = ctx.binary(chapter)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "WORKBOOK_CA_FILE")}
    env["WORKBOOK_GITHUB_API"] = api
    if ca:
        env["WORKBOOK_CA_FILE"] = str(ca)
    cmd = [str(exe)]
    shown = f"WORKBOOK_GITHUB_API={api} " + (f"WORKBOOK_CA_FILE={ca} " if ca else "") + str(exe)
    code, out, err = run(cmd, 60, env=env)
    return code, REPO_LINE.findall(out), out, err, shown


_baselines = {}


def baseline(ctx, chapter):
    """What the chapter prints against the stand-in directly."""
    if chapter not in _baselines:
        fg = nginx(ctx).upstream
        code, lines, out, err, _ = run_chapter(ctx, chapter, f"http://127.0.0.1:{fg.port}")
        if code != 0 or len(lines) != 20:
            raise Fail(f"against the stand-in directly {chapter} exited {code} with {len(lines)} repositories: {err.strip()[-300:]}")
        _baselines[chapter] = lines
    return _baselines[chapter]


def client_cases(chapter):
    def add(what, fn):
        CASES.append((f"{chapter} via nginx: {what}", fn))

    def by_hand(ng, shown):
        last = max(ng.ports.values())
        return f"{SELF} --serve-nginx {ng.base} & {SELF} --wait {last} && {shown}; kill $!"

    def succeeds(site, check_log=None):
        def fn(ctx):
            ng = nginx(ctx)
            want = baseline(ctx, chapter)
            scheme = NGINX_SITES[site][0]
            host = "localhost" if scheme == "https" else "127.0.0.1"
            ca = (ctx.build / "certs" / "ca.pem") if scheme == "https" else None
            code, lines, out, err, shown = run_chapter(ctx, chapter, f"{scheme}://{host}:{ng.ports[site]}", ca)
            ctx.repeat = by_hand(ng, shown)
            if code != 0 or lines != want:
                missing = [l for l in want if l not in lines]
                raise Fail(
                    f"expected exit 0 and the 20 repositories it prints against the stand-in, got exit {code} and "
                    f"{len(lines)} ({len(missing)} missing or different); stderr: {err.strip()[-400:] or '(empty)'}"
                )
            if check_log:
                check_log(ng.access_log(ng.ports[site]))
        return fn

    def gzipped(log):
        plain = [l for l in log if "/repos/" in l and "gzip=-" in l and " 200 " in l]
        if plain or not log:
            raise Fail(f"nginx sent {len(plain)} of {len(log)} responses without gzip: the case did not test gzip")

    def followed(log):
        moved = [l for l in log if " 301 " in l]
        new = [l for l in log if "/repositories/" in l]
        if len(moved) < 2 or len(new) < 2:
            raise Fail(f"expected 2 redirects followed in nginx's log, got {len(moved)} 301s and {len(new)} new paths")

    add("reverse proxy", succeeds("proxy"))
    add("keepalive_requests 1", succeeds("keepalive_requests 1"))
    add("gzip on", succeeds("gzip", gzipped))
    add("301 to a new path", succeeds("301 to the new path", followed))
    add("HTTPS with the workbook's CA", succeeds("HTTPS"))
    add("HTTPS, gzip, keepalive_requests 1 and 301 at once",
        succeeds("HTTPS, gzip, keepalive_requests 1 and 301", lambda log: (gzipped(log), followed(log))))

    def wrong_ca(ctx):
        ng = nginx(ctx)
        baseline(ctx, chapter)
        system = Path("/etc/ssl/certs/ca-certificates.crt")
        if not system.exists():
            raise Skip("no system CA bundle (Debian package ca-certificates)")
        code, lines, out, err, shown = run_chapter(ctx, chapter, f"https://localhost:{ng.ports['HTTPS']}", system)
        ctx.repeat = by_hand(ng, shown)
        if code == 0 or lines or "certificate" not in err.lower():
            raise Fail(
                "a certificate no CA in the bundle signed: expected a failure naming the certificate and no "
                f"repository, got exit {code}, {len(lines)} repositories; stderr: {err.strip()[-300:] or '(empty)'}"
            )

    add("HTTPS with a CA file that did not sign the certificate (must fail)", wrong_ca)

    def redirect_loop(ctx):
        ng = nginx(ctx)
        want = [l for l in baseline(ctx, chapter) if '"fmtlib/fmt"' not in l]
        code, lines, out, err, shown = run_chapter(ctx, chapter, f"http://127.0.0.1:{ng.ports['redirect loop']}")
        ctx.repeat = by_hand(ng, shown)
        if code == 0 or lines != want or "redirect" not in err.lower() or "fmtlib/fmt" not in err:
            raise Fail(
                "fmtlib/fmt redirects to itself: expected exit 1, an error naming the redirects and fmtlib/fmt, "
                f"and the other 19 repositories; got exit {code}, {len(lines)} repositories; stderr: {err.strip()[-300:] or '(empty)'}"
            )

    add("a 301 that points at itself (must fail for that repository only)", redirect_loop)


for _chapter in ["chapter01", "chapter07", "chapter08"]:
    client_cases(_chapter)


# ------------------------------------- cases 3 to 5: Redis, memcached, PostgreSQL

DRIVER = "tests/peers/workbook-peer-clients"
SERVICE_TOOLS = {
    "redis": ("redis-server", "redis-server"),
    "memcached": ("memcached", "memcached"),
    "postgres": ("pg_ctl", "postgresql"),
}


def pg_bin():
    """The PostgreSQL server's programs, as services.sh finds them: the
    newest under /usr/lib/postgresql, else pg_ctl's folder."""
    version = lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)]  # noqa: E731
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version)
    if found:
        return found[-1]
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class Services:
    """The private servers of shared/scripts/services.sh, in the suite's folder."""

    def __init__(self, ctx):
        self.dir = ctx.tmp / "services"
        self.available = {}
        for service, (program, package) in SERVICE_TOOLS.items():
            found = shutil.which(program) or (service == "postgres" and pg_bin() and (pg_bin() / "pg_ctl").exists())
            self.available[service] = None if found else f"{program} not installed (Debian package {package})"
        wanted = [s for s, missing in self.available.items() if missing is None]
        self.env = {}
        if not wanted:
            return
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MEMCACHED_ADDR", "DATABASE_URL")}
        cmd = ["bash", "shared/scripts/services.sh", "start", str(self.dir)] + wanted
        ctx.cleanups.append(lambda: run(["bash", "shared/scripts/services.sh", "stop", str(self.dir)], 60))
        code, out, err = run(cmd, 120, env=env)
        if code != 0:
            raise Fail(f"{shlex.join(cmd)} failed ({code}): {(err or out).strip()[-400:]}")
        for line in (self.dir / "services.env").read_text().splitlines():
            name, _, value = line.partition("=")
            self.env[name] = value

    def need(self, service):
        if self.available[service]:
            raise Skip(self.available[service])


def services(ctx):
    if "services" not in ctx.servers:
        ctx.servers["services"] = Services(ctx)
    return ctx.servers["services"]


def driver(ctx, sub, env, on_ready=None, timeout=90):
    """Runs one subcommand of the driver; its last line, which is "ok ..." or
    what was wrong. At its "ready" line, `on_ready()` acts and the driver is
    told to go on."""
    exe = ctx.binary(DRIVER)
    full_env = dict(os.environ, **env)
    proc = subprocess.Popen([str(exe), sub], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=full_env, cwd=ROOT, text=True, start_new_session=True)
    ctx.procs.append((proc, sub))
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l.rstrip("\n")) for l in proc.stdout] + [lines.put(None)],
                     daemon=True).start()
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            proc.kill()
            raise Fail(f"{sub} did not finish within {timeout} s; it said: {' | '.join(seen[-3:]) or 'nothing'}")
        if line is None:
            break
        seen.append(line)
        if line == "ready" and on_ready:
            on_ready()
            proc.stdin.write("go on\n")
            proc.stdin.flush()
    proc.wait()
    last = seen[-1] if seen else ""
    if proc.returncode != 0 or not last.startswith("ok"):
        raise Fail(last or f"{sub} exited with status {proc.returncode} and said nothing")
    ctx.detail = last


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def memcached_user():
    return ["-u", "nobody"] if os.geteuid() == 0 else []  # memcached refuses to run as root


def data_store_cases():
    def add(name, service, fn):
        def case(ctx):
            svc = services(ctx)
            svc.need(service)
            fn(ctx, svc)
        CASES.append((name, case))

    def plain(sub):
        def fn(ctx, svc):
            variable = {"redis": "REDIS_URL", "memcached": "MEMCACHED_ADDR", "pg": "DATABASE_URL"}[sub.split("-")[0]]
            ctx.repeat = (f"bash shared/scripts/services.sh start /tmp/peers-services && "
                          f"{variable}=$(sed -n 's/^{variable}=//p' /tmp/peers-services/services.env) "
                          f"{ctx.build}/{DRIVER} {sub}; bash shared/scripts/services.sh stop /tmp/peers-services")
            driver(ctx, sub, {variable: svc.env[variable]})
        return fn

    def redis_restart(ctx, svc):
        # A Redis of the suite's own, in the foreground, restarted on its port.
        port = free_port()
        cmd = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        ctx.repeat = f"{SELF} --only 'redis: restarted mid-run'"
        proc, log = ctx.start(cmd, "redis (restarted)", "redis-restart.log")
        wait_for(lambda: redis_answers(port), 10, f"redis-server on port {port} answering PING")
        current = [proc]

        def restart():
            current[0].terminate()
            current[0].wait(timeout=10)
            current[0], _ = ctx.start(cmd, "redis (restarted)", "redis-restart.log")
            wait_for(lambda: redis_answers(port), 10, f"the restarted redis-server on port {port} answering PING")

        driver(ctx, "redis-restart", {"REDIS_URL": f"redis://127.0.0.1:{port}"}, restart)

    def memcached_own(ctx, extra, name):
        missing_tool("memcached", "memcached")
        port = free_port()
        proc, log = ctx.start(["memcached", "-l", "127.0.0.1", "-p", str(port), "-U", "0"] + extra + memcached_user(),
                              name, f"{name}.log")
        wait_port(port, 10, name, proc, log)
        return proc, port

    def memcached_small(ctx, svc):
        # -I 512k: memcached 1.6 refuses an item limit over half the memory.
        proc, port = memcached_own(ctx, ["-m", "1", "-I", "512k"], "memcached-m1")
        ctx.repeat = (f"memcached -l 127.0.0.1 -p {port} -U 0 -m 1 -I 512k {' '.join(memcached_user())} & "
                      f"{SELF} --wait {port} && MEMCACHED_ADDR=127.0.0.1:{port} {ctx.build}/{DRIVER} memcached-evictions; kill $!")
        driver(ctx, "memcached-evictions", {"MEMCACHED_ADDR": f"127.0.0.1:{port}"})

    def memcached_killed(ctx, svc):
        proc, port = memcached_own(ctx, ["-m", "64"], "memcached-killed")
        ctx.repeat = f"{SELF} --only 'memcached: killed mid-run'"

        def kill():
            proc.kill()
            proc.wait(timeout=10)

        driver(ctx, "memcached-killed", {"MEMCACHED_ADDR": f"127.0.0.1:{port}"}, kill)

    def pg_restart(ctx, svc):
        data = Path((svc.dir / "postgres.data").read_text().strip())
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # -l: the server's output to its log, as services.sh started it; the
        # restarted server must hold no pipe of this script's open.
        restart_cmd = as_postgres + [str(pg_bin() / "pg_ctl"), "-D", str(data / "cluster"), "-l",
                                     str(data / "server.log"), "-m", "fast", "-w", "-t", "30", "restart"]
        ctx.repeat = f"{SELF} --only 'postgres: pg_ctl restart'"
        port = int(svc.env["DATABASE_URL"].rsplit(":", 1)[1].split("/")[0])

        def restart():
            with open(ctx.tmp / "pg_ctl.log", "ab") as log:
                try:
                    code = subprocess.run(restart_cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                          timeout=60).returncode
                except subprocess.TimeoutExpired:
                    raise Fail(f"{shlex.join(restart_cmd)} did not finish within 60 s{log_tail(ctx.tmp / 'pg_ctl.log')}")
            if code != 0:
                raise Fail(f"{shlex.join(restart_cmd)} failed ({code}){log_tail(ctx.tmp / 'pg_ctl.log')}")
            wait_port(port, 20, "the restarted PostgreSQL")

        driver(ctx, "pg-restart", {"DATABASE_URL": svc.env["DATABASE_URL"]}, restart)

    add("redis: restarted mid-run (commands go on, TransportError, no reply to the wrong command)", "redis", redis_restart)
    add("redis: CLIENT KILL TYPE normal with commands pending", "redis", plain("redis-client-kill"))
    add("redis: CLIENT PAUSE 3000 (commands wait, then complete)", "redis", plain("redis-pause"))
    add("redis: values of 0 B, 1 MiB and 64 MiB read back unchanged", "redis", plain("redis-sizes"))
    add("redis: 10,000 concurrent commands, each its own reply", "redis", plain("redis-concurrent"))
    add("redis: LRANGE of a 1,000,000-element list", "redis", plain("redis-lrange"))
    add("memcached: values near and over the 1 MB item limit", "memcached", plain("memcached-sizes"))
    add("memcached: keys of 250 and 251 bytes, with a space or control characters", "memcached", plain("memcached-keys"))
    add("memcached: -m 1, evictions are misses, not errors", "memcached", memcached_small)
    add("memcached: killed mid-run (a clear error)", "memcached", memcached_killed)
    add("postgres: NULLs, Unicode text and bytea", "postgres", plain("pg-values"))
    add("postgres: a 100,000-row result", "postgres", plain("pg-rows"))
    add("postgres: statement_timeout (an error naming it)", "postgres", plain("pg-timeout"))
    add("postgres: a syntax error (the server's message)", "postgres", plain("pg-syntax"))
    add("postgres: pg_terminate_backend of a pooled connection", "postgres", plain("pg-terminate"))
    add("postgres: a cancelled long query is gone from pg_stat_activity", "postgres", plain("pg-cancel"))
    add("postgres: pg_ctl restart while the pool holds connections", "postgres", pg_restart)


data_store_cases()


# --------------------------------------------------------------- the run


def send_by_hand(port, exprs):
    """--send: each expression's bytes, then whatever comes back until 6 s of
    quiet (longer than the servers' 5 s read timeouts, so a late answer shows)."""
    wait_port(port, 10, f"127.0.0.1:{port}")
    c = Raw(port)
    for expr in exprs:
        c.send(bytes_expression(expr))
        while True:
            try:
                if not c._more(time.monotonic() + 6):
                    break
            except TimeoutError:
                break
        sys.stdout.write(c.buf.decode("latin-1"))
        c.buf = b""
        if c.ended:
            print(f"\n[the server {c.ended} the connection]")
            return
    print("\n[the connection is still open]")


def serve_nginx(build, base):
    """--serve-nginx BASE: the stand-in and nginx as the suite runs them, on
    the ports a FAIL's repeat line names, until Ctrl-C or SIGTERM."""
    ctx = Context(build)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        ng = Nginx(ctx, base)
        for site, port in ng.ports.items():
            print(f"{NGINX_SITES[site][0]}://{'localhost' if NGINX_SITES[site][0] == 'https' else '127.0.0.1'}:{port}  {site}")
        print(f"the stand-in: http://127.0.0.1:{base}; nginx's folder: {ng.dir}", flush=True)
        ng.proc.wait()
    except KeyboardInterrupt:
        pass
    except Fail as e:
        print(f"run.py: {e}", file=sys.stderr)
        return 1
    finally:
        ctx.stop_all()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build/release", help="the build folder (default build/release)")
    parser.add_argument("--only", help="only the cases whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    parser.add_argument("--verbose", action="store_true", help="after an ok, what the case saw, where it says")
    parser.add_argument("--wait", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--send", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    parser.add_argument("--serve-nginx", type=int, metavar="BASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.wait:
        try:
            wait_port(args.wait, 10, f"127.0.0.1:{args.wait}")
        except Fail as e:
            sys.exit(f"run.py: {e}")
        return 0
    if args.send:
        send_by_hand(int(args.send[0]), args.send[1:])
        return 0
    if args.serve_nginx:
        return serve_nginx(Path(args.build), args.serve_nginx)

    chosen = [(n, f) for n, f in CASES if not args.only or args.only in n]
    if args.list:
        for name, _ in chosen:
            print(name)
        return 0
    if not chosen:
        sys.exit(f"run.py: no case's name contains {args.only!r} (--list shows them)")

    build = Path(args.build)
    ctx = Context(build if build.is_absolute() else build)
    # SIGTERM ends the run as Ctrl-C does: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.monotonic()
    counts = {"ok": 0, "failed": 0, "skipped": 0, "known": 0}
    try:
        for name, fn in chosen:
            ctx.repeat = ctx.detail = None
            known = KNOWN.get(name)
            try:
                fn(ctx)
                if known:
                    raise Fail(f"a known limit of {known[1]} no longer shows: the case passes now; "
                               "take it out of KNOWN in tests/peers/run.py and out of the README that lists it")
                print(f"ok    {name}", flush=True)
                if args.verbose and ctx.detail:
                    print(f"      {ctx.detail}", flush=True)
                counts["ok"] += 1
            except Skip as e:
                print(f"skip  {name}: skipped: {e}", flush=True)
                counts["skipped"] += 1
            except Exception as e:  # a Fail, or what the peer's answer made of the check
                text = str(e) if isinstance(e, Fail) else f"{type(e).__name__}: {e}"
                text = " | ".join(part.strip() for part in text.strip().splitlines())  # one line
                if known and isinstance(e, Fail) and re.search(known[0], text):
                    # Failed exactly the way the library is known to.
                    print(f"known {name}: {known[1]}, as {known[2]} says ({text})", flush=True)
                    counts["known"] += 1
                    continue
                print(f"FAIL  {name}: {text}", flush=True)
                print(f"      repeat: {ctx.repeat or SELF + ' --only ' + shlex.quote(name)}", flush=True)
                counts["failed"] += 1
    except KeyboardInterrupt:
        print("\ninterrupted: stopping what the suite started", file=sys.stderr)
        return 130
    finally:
        ctx.stop_all()
    seconds = time.monotonic() - started
    print()
    print(f"{'cases':>8} {'ok':>6} {'failed':>7} {'known':>6} {'skipped':>8} {'seconds':>8}")
    print(f"{len(chosen):>8} {counts['ok']:>6} {counts['failed']:>7} {counts['known']:>6} "
          f"{counts['skipped']:>8} {seconds:>8.1f}")
    if counts["known"]:
        print("known: a limit of a library the workbook uses as it is (not the workbook's code), "
              "failing exactly as it is known to; a known case that passes, or fails otherwise, is a FAIL")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
