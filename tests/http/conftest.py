"""The ingress served by uvicorn on a free port of 127.0.0.1, over the test database and vhost,
and helpers to read what it put on the bus."""

import asyncio
import contextlib
import socket
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from bus import topology
from bus.codec import from_message
from producers.http.app import create_app
from schemas.events import Event
from store.keys import create_key
from tests.conftest import PROVIDERS

JOB = {"provider": "midjourney", "action": "imagine", "input": {"prompt": "a cat in a teapot"}}


class _Server(uvicorn.Server):
    def capture_signals(self):
        return contextlib.nullcontext()  # pytest keeps its signals


@dataclass
class Running:
    url: str
    client: httpx.AsyncClient  # base_url set, no key
    server: _Server
    task: asyncio.Task

    async def stop(self) -> None:
        await self.client.aclose()
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def serve(pool, amqp, tmp_path):
    """Start an ingress; keyword arguments override create_app's test defaults."""
    running: list[Running] = []

    async def start(**overrides) -> Running:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = create_app(**{
            "pool": pool, "connection": amqp, "object_root": tmp_path / "objects",
            "public_url": url, "allow_private_urls": True, "max_body_bytes": 20_000,
            "api_key_cache_s": 0, "providers": PROVIDERS, **overrides})
        server = _Server(uvicorn.Config(app, http="httptools", log_config=None,
                                        access_log=False, timeout_graceful_shutdown=2))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                await task
                raise RuntimeError("the ingress did not start")
            await asyncio.sleep(0.01)
        running.append(Running(url, httpx.AsyncClient(base_url=url, timeout=10), server, task))
        return running[-1]

    yield start
    for r in running:
        await r.stop()


@pytest.fixture
async def api(serve, clean_db, clean_bus) -> Running:
    return await serve()


@pytest.fixture
async def key(clean_db):
    """A fresh API key: `.api_key` to send, `.key.id` to compare."""
    return await create_key(clean_db, name="test client")


def auth(new_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_key.api_key}"}


class Tap:
    """A private queue bound to `job.requested.*`: what the ingress published, even while some
    other process drains the service queues."""

    def __init__(self, queue):
        self.queue = queue

    async def take(self, count: int, timeout_s: float = 5.0) -> list[tuple[str, Event]]:
        """(routing key, event) of `count` messages (waiting up to `timeout_s`), then of
        whatever else is there already."""
        heard = []
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            message = await self.queue.get(no_ack=True, fail=False)
            if message is not None:
                heard.append((message.routing_key, from_message(message)))
                continue
            if len(heard) >= count or asyncio.get_running_loop().time() > deadline:
                return heard
            await asyncio.sleep(0.05)


@pytest.fixture
async def tap(amqp):
    channel = await amqp.channel()
    yield Tap(await topology.declare_listener(channel, ["job.requested.#"]))
    await channel.close()
