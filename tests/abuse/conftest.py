"""The ingress on a thread of its own (its own event loop, pool and bus connection), so that
synchronous clients such as schemathesis' can call it while the test blocks; keys of every
kind; and a queue on `wowz.events` that hears everything the ingress publishes."""

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import pytest
import uvicorn

from bus import topology
from producers.http.app import create_app
from store import db
from store.keys import NewKey, create_key, revoke_key
from tests.conftest import PROVIDERS, TEST_AMQP, TEST_DB
from tests.http.conftest import _Server

ALL_SCOPES = ("submit", "read", "admin")


def unserved_app():
    """The app as create_app builds it, for its routes and OpenAPI document: building one
    does no I/O."""
    return create_app(pool=None, connection=None, object_root=Path("."),
                      public_url="http://x", allow_private_urls=False, providers=PROVIDERS)


@dataclass
class ThreadedIngress:
    object_root: Path
    allow_private_urls: bool = False
    url: str = ""
    _server: _Server | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None

    def start(self) -> "ThreadedIngress":
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(sock),),
                                        name="ingress", daemon=True)
        self._thread.start()
        if not self._ready.wait(30) or self._error is not None:
            raise RuntimeError(f"the ingress did not start: {self._error!r}")
        return self

    async def _serve(self, sock: socket.socket) -> None:
        try:
            pool = await db.create_pool(TEST_DB, max_size=5)
            connection = await aio_pika.connect_robust(TEST_AMQP)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            raise
        app = create_app(pool=pool, connection=connection, object_root=self.object_root,
                         public_url=self.url, allow_private_urls=self.allow_private_urls,
                         max_body_bytes=20_000, api_key_cache_s=0, providers=PROVIDERS,
                         seed_wait_s=0.5)  # the seed's synchronous routes answer 504 soon
        self._server = _Server(uvicorn.Config(app, http="httptools", log_config=None,
                                              access_log=False, timeout_graceful_shutdown=2))
        serving = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started and not serving.done():
            await asyncio.sleep(0.01)
        self._error = serving.exception() if serving.done() else None
        self._ready.set()
        try:
            await serving
        finally:
            await connection.close()
            await pool.close()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)


@pytest.fixture(scope="session")
async def threaded_ingress(db_url, amqp, tmp_path_factory):
    """One for the session: its routes hold no state between tests but the database's."""
    ingress = ThreadedIngress(object_root=tmp_path_factory.mktemp("abuse-objects")).start()
    yield ingress
    ingress.stop()


@dataclass
class Keys:
    full: NewKey  # every scope
    read_only: NewKey
    revoked: NewKey


@pytest.fixture(scope="session")
async def keys(pool) -> Keys:
    full = await create_key(pool, name="abuse: all scopes", scopes=ALL_SCOPES)
    read_only = await create_key(pool, name="abuse: read only", scopes=("read",))
    revoked = await create_key(pool, name="abuse: revoked", scopes=ALL_SCOPES)
    await revoke_key(pool, revoked.key.id)
    return Keys(full, read_only, revoked)


def bearer(new_key: NewKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_key.api_key}"}


@pytest.fixture
async def bus_tap(amqp):
    """An exclusive queue bound to every routing key of `wowz.events`."""
    channel = await amqp.channel()
    queue = await topology.declare_listener(channel, ["#"])
    yield queue
    await channel.close()
