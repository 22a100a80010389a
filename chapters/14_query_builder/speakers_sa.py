"""Chapter 14 in Python: the talk's aiopg + SQLAlchemy slide. The table is
described once, and the statements are built from it.

Run it: ./workbook run 14 --python (starts a private PostgreSQL), or with
DATABASE_URL set: python3 chapters/14_query_builder/speakers_sa.py
"""
# needs: aiopg.sa (Debian package python3-aiopg)
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "python"))
import github  # noqa: E402  (for require and fail: this program talks to PostgreSQL only)

sa = github.require("sqlalchemy", "python3-sqlalchemy")
aiopg = github.require("aiopg", "python3-aiopg")


def major_minor(version):
    """(1, 4) for "1.4.46", (2, 0) for "2.0.0b4"."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


# aiopg 1.4.0, its last stable release (the one Debian 12 packages), takes
# PGCompiler_psycopg2 from sqlalchemy.dialects.postgresql.psycopg2, where
# SQLAlchemy 2.0 no longer has it: `import aiopg.sa` then fails with
# "aiopg.sa requires sqlalchemy", although SQLAlchemy is there. Its 2.0
# support is in a 1.5 alpha only. Say so, and what to do, before trying.
if major_minor(sa.__version__) >= (2, 0) and major_minor(aiopg.__version__) < (1, 5):
    github.fail(f"aiopg {aiopg.__version__} does not work with SQLAlchemy {sa.__version__} (aiopg.sa "
                "needs SQLAlchemy 1.x): install SQLAlchemy 1.4 (Debian 12's python3-sqlalchemy, or "
                "pip install 'sqlalchemy<2'), or write it with SQLAlchemy's own asyncio extension "
                "(sqlalchemy.ext.asyncio, with asyncpg) instead of aiopg")
aiopg_sa = github.require("aiopg.sa", "python3-aiopg")

# [slide:table]
metadata = sa.MetaData()
speakers = sa.Table(
    "speakers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("talks", sa.Integer, nullable=False, server_default="0"),
)
# [/slide]


async def main(dsn):
    async with aiopg_sa.create_engine(dsn) as engine:
        async with engine.acquire() as conn:
            await conn.execute("DROP TABLE IF EXISTS speakers")
            await conn.execute("CREATE TABLE speakers (id serial PRIMARY KEY, name varchar(255) NOT NULL, "
                               "talks integer NOT NULL DEFAULT 0)")
            # [slide:query_builder]
            for name, talks in [("Ada Lovelace", 1), ("Grace Hopper", 4), ("Barbara Liskov", 3)]:
                await conn.execute(speakers.insert().values(name=name, talks=talks))
            await conn.execute(speakers.update().where(speakers.c.name == "Ada Lovelace").values(talks=5))
            query = speakers.select().where(speakers.c.talks > 3).order_by(speakers.c.id)
            print("Speakers with more than 3 talks:")
            async for row in conn.execute(query):
                print({"id": row.id, "name": row.name, "talks": row.talks})
            # [/slide]


dsn = github.service_address("DATABASE_URL", "14", "PostgreSQL")
github.run_timed(main(dsn), Exception, f"PostgreSQL at {dsn}")
