"""A persister factory that stops what it started, a publisher, and a TCP proxy to Postgres that
can be cut and restored, so the database goes away without touching the machine's Postgres."""

from urllib.parse import urlsplit, urlunsplit

import pytest

from consumers.persister.service import Persister
from store import db
from tests.proxy import PostgresProxy


@pytest.fixture
async def start_persister(clean_db, clean_bus):
    """Start a Persister on the test pool (or the one given) after the tables and queues are
    emptied; every one started is stopped at the end."""
    started: list[Persister] = []

    async def start(pool=None, **options) -> Persister:
        persister = Persister(pool or clean_db, clean_bus, **options)
        await persister.start()
        started.append(persister)
        return persister

    yield start
    for persister in started:
        await persister.stop()


@pytest.fixture
async def proxied_pool(db_url):
    """(a pool whose connections go through a PostgresProxy, the proxy)."""
    parts = urlsplit(db_url)
    proxy = PostgresProxy((parts.hostname, parts.port or 5432))
    await proxy.restore()
    user = parts.netloc.rpartition("@")[0]
    url = urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{proxy.port}".lstrip("@")))
    pool = await db.create_pool(url, max_size=2)
    yield pool, proxy
    pool.terminate()
    await proxy.cut()
