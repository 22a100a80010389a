"""Chapter 13 in Python: the talk's aiopg slide, with one pool for the whole
program (the slide made a new pool in each function: see the README).

Run it: ./workbook run 13 --python (starts a private PostgreSQL), or with
DATABASE_URL set: python3 chapters/13_postgres/speakers.py
"""
# needs: aiopg (Debian package python3-aiopg)
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (for require and fail: this program talks to PostgreSQL only)

aiopg = github.require("aiopg", "python3-aiopg")

SPEAKERS = ["Ada Lovelace", "Edsger Dijkstra", "Tony Hoare", "Barbara Liskov", "Leslie Lamport",
            "Robert'); DROP TABLE speakers;--"]


# [slide:create_table]
async def create_table(pool):
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute("DROP TABLE IF EXISTS speakers")
            await cur.execute("CREATE TABLE speakers (id serial PRIMARY KEY, name varchar(255) NOT NULL)")
            for speaker in SPEAKERS:
                # %s is psycopg2's placeholder: psycopg2 quotes the value
                # into the SQL text on the client (psycopg 3 sends it apart).
                await cur.execute("INSERT INTO speakers (name) VALUES (%s)", (speaker,))
# [/slide]


# [slide:get_speakers]
async def get_speakers(pool):
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute("SELECT id, name FROM speakers ORDER BY id")
            return [{"id": row[0], "name": row[1]} async for row in cur]


async def main(dsn):
    async with aiopg.create_pool(dsn, minsize=1, maxsize=4) as pool:
        await create_table(pool)
        for speaker in await get_speakers(pool):
            print(speaker)
# [/slide]


dsn = github.service_address("DATABASE_URL", "13", "PostgreSQL")
# psycopg2's OperationalError and friends all derive from Exception.
github.run_timed(main(dsn), Exception, f"PostgreSQL at {dsn}")
