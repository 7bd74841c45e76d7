"""A persister factory that stops what it started, a publisher, and a TCP proxy to Postgres that
can be cut and restored, so the database goes away without touching the machine's Postgres."""

import asyncio
from urllib.parse import urlsplit, urlunsplit

import pytest

from bus.publisher import Publisher
from consumers.persister.service import Persister
from store import db


class PostgresProxy:
    """Forwards 127.0.0.1:<port> to Postgres; `cut()` drops every connection and refuses new
    ones until `restore()`."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self._server.close()
        for writer in self._open:
            writer.transport.abort()
        self._open.clear()
        await self._server.wait_closed()

    async def _forward(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        server_r, server_w = await asyncio.open_connection(*self.target)
        self._open |= {client_w, server_w}
        await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.transport.abort()


@pytest.fixture
async def publisher(amqp):
    publisher = await Publisher.open(amqp)
    yield publisher
    await publisher.close()


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
