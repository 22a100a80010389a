"""Chapter 11 in Python: the talk's aioredis slide, with redis-py's asyncio
client (aioredis became redis.asyncio in redis-py 4.2).

Run it: ./workbook run 11 --python (starts a private Redis), or with
REDIS_URL set: python3 chapters/11_redis/hello_redis.py
"""
# needs: redis.asyncio (Debian package python3-redis)
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (for require and fail: this program talks to Redis only)

redis_asyncio = github.require("redis.asyncio", "python3-redis")


async def main(url):
    # The slide's aioredis.create_redis(('localhost', 6379)) is
    # redis.asyncio.from_url(url) now; decode_responses gives str, not bytes.
    # [slide:hello_redis]
    redis = redis_asyncio.from_url(url, decode_responses=True)
    await redis.set("key", "hello world")
    value = await redis.get("key")
    print("GET key ->", value)
    # [/slide]

    # A thousand increments, as in the C++ demo: awaited one by one, then in
    # a pipeline, which redis-py sends in one write (transaction=False: no
    # MULTI/EXEC around it, as chapter11::pipeline). redis-py's incr is its
    # incrby: each sends INCRBY demo:counter 1, where the C++ sends INCR.
    await redis.delete("demo:counter")
    start = time.perf_counter()
    for _ in range(1000):
        await redis.incr("demo:counter")
    print("1000 INCRBYs, each awaited before the next: {:.1f} ms".format((time.perf_counter() - start) * 1000))
    start = time.perf_counter()
    async with redis.pipeline(transaction=False) as pipe:
        for _ in range(1000):
            pipe.incr("demo:counter")
        replies = await pipe.execute(raise_on_error=False)
    print("1000 INCRBYs in one pipeline: {:.1f} ms; the last reply says {}".format(
        (time.perf_counter() - start) * 1000, replies[-1]))
    # redis-py 5 names it aclose() (its close() is deprecated); Debian 12's
    # redis-py 4.3 has only close().
    await (redis.aclose() if hasattr(redis, "aclose") else redis.close())


if __name__ == "__main__":
    url = github.service_address("REDIS_URL", "11", "Redis")
    github.run_timed(main(url), (OSError, redis_asyncio.ConnectionError), f"no Redis answers at {url}")
