"""The Postgres pool and the migrations in `supabase/migrations/`."""

import asyncio
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

log = logging.getLogger("wowz.store")
MIGRATIONS = Path(__file__).resolve().parent.parent / "supabase" / "migrations"


async def _init(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _no_session_state(conn: asyncpg.Connection) -> None:
    """Nothing of ours leaves LISTEN, SET, cursors or advisory locks on a pooled connection
    (asyncpg still rolls back an open transaction), so a connection goes back to the pool
    without asyncpg's reset query: one round trip less per query."""


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, init=_init,
                                     reset=_no_session_state)


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server does not have it (a fresh machine)."""
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await admin.execute(f'create database "{name}"')
        except asyncpg.DuplicateDatabaseError:
            pass
        finally:
            await admin.close()
    else:
        await conn.close()


async def migrate(url: str) -> list[str]:
    """Apply every migration not applied yet, each in its transaction; returns their names."""
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("select pg_advisory_lock(72767)")  # one migrator at a time
        await conn.execute("create table if not exists schema_migrations ("
                           "version text primary key, applied_at timestamptz default now())")
        done = {r["version"] for r in await conn.fetch("select version from schema_migrations")}
        applied = []
        for path in sorted(MIGRATIONS.glob("*.sql")):
            if path.stem in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute("insert into schema_migrations (version) values ($1)",
                                   path.stem)
            applied.append(path.stem)
            log.info("migration applied: %s", path.stem)
        return applied
    finally:
        await conn.close()


async def persistently(write, *, within_s: float = 120.0, pause_s: float = 0.5):
    """Run `write()` (a coroutine factory) until Postgres takes it, for up to `within_s`: for
    the writes a worker cannot skip once the provider has acted (the provider's job id, the end
    of a run), where failing would make a redelivery do the work again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while True:
        try:
            return await write()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if loop.time() > deadline:
                raise
            log.warning("database write failed, trying again: %r", exc)
            await asyncio.sleep(pause_s)
            pause_s = min(pause_s * 2, 5.0)
