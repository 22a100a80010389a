"""Chapter 12 in Python: the talk's aiomcache slide, then the twenty
repositories through memcached, twice.

aiomcache is not packaged in Debian, so this program speaks memcached's
text protocol itself, on asyncio's streams, in a dozen lines: the same
get and set the slide calls.

Run it: ./workbook run 12 --python (starts a private memcached and the
stand-in), or with both running and MEMCACHED_ADDR set:
python3 chapters/12_memcached/cache_aside.py
"""
# needs: aiohttp (Debian package python3-aiohttp)
import asyncio
import json
import os
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (the workbook's stand-in for the talk's github.py)
from github import REPOS, HEADERS  # noqa: E402

aiohttp = github.require("aiohttp", "python3-aiohttp")


class Memcached:
    """aiomcache.Client's get and set, on one connection, one request at a
    time: a lock keeps two coroutines from interleaving their lines.
    aiomcache itself keeps a pool of connections (pool_size=2 by default)
    and sends one request at a time on each."""

    def __init__(self, reader, writer):
        self.reader, self.writer, self.lock = reader, writer, asyncio.Lock()

    async def get(self, key):
        async with self.lock:
            self.writer.write(b"get " + key + b"\r\n")
            line = await self.reader.readline()
            if line == b"END\r\n":
                return None
            size = int(line.split()[3])
            value = (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readline()  # END
            return value

    async def set(self, key, value, exptime=0):
        async with self.lock:
            self.writer.write(b"set %s 0 %d %d\r\n%s\r\n" % (key, exptime, len(value), value))
            line = await self.reader.readline()
            if line != b"STORED\r\n":
                raise RuntimeError(f"memcached refused set: {line.decode().strip()}")

    async def delete(self, key):
        async with self.lock:
            self.writer.write(b"delete " + key + b"\r\n")
            await self.reader.readline()


# [slide:cache_aside]
async def cached_repo(mc, session, repo_url):
    key = b"repo:" + github.full_name(repo_url).encode()
    cached = await mc.get(key)
    if cached is not None:
        return json.loads(cached)
    async with session.get(repo_url) as response:
        info = github.repo_info(repo_url, response.status, await response.text())
    await mc.set(key, json.dumps(info).encode(), exptime=300)
    return info
# [/slide]


async def main(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    mc = Memcached(reader, writer)
    # The slide: mc.set(b'key', b'hello world'); mc.get(b'key')
    # [slide:hello_memcached]
    await mc.set(b"key", b"hello world")
    print("get key ->", (await mc.get(b"key")).decode())
    # [/slide]
    for repo_url in REPOS:
        await mc.delete(b"repo:" + github.full_name(repo_url).encode())

    context = ssl.create_default_context(cafile=github.CA_FILE)
    async with aiohttp.ClientSession(headers=HEADERS, connector=aiohttp.TCPConnector(ssl=context),
                                     timeout=aiohttp.ClientTimeout(total=github.TIMEOUT)) as session:
        for cache in ("cold cache", "warm cache"):
            start = time.perf_counter()
            infos = await asyncio.gather(*(cached_repo(mc, session, url) for url in REPOS))
            print(f"{len(infos)} repositories, {cache}: {(time.perf_counter() - start) * 1000:.1f} ms")
    writer.close()
    await writer.wait_closed()


address = github.service_address("MEMCACHED_ADDR", "12", "memcached")
host, _, port = address.rpartition(":")
github.check_reachable()
github.run_timed(main(host, int(port)), OSError, f"no memcached answers at {address}")
