"""Job events as they happen, for server-sent events: one private queue per ingress process,
consumed only while at least one client listens (or is about to: `bound`), fanned out
in-process by job id."""

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncIterator

from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from bus import topology
from bus.consumer import decode
from schemas.events import Event

log = logging.getLogger("wowz.http.live")

KEYS = ["job.started.#", "job.progress.#", "job.completed.#", "job.failed.#"]
RECENT = 1000  # events kept while the queue is bound, for a listener that comes a moment late


class LiveEvents:
    def __init__(self, connection: AbstractConnection):
        self.connection = connection
        self._listeners: dict[str, set[asyncio.Queue[Event]]] = {}
        self._channel: AbstractChannel | None = None
        self._lock = asyncio.Lock()  # opening and closing the queue do not interleave
        self._holders = 0
        self._recent: collections.deque[Event] = collections.deque(maxlen=RECENT)

    @contextlib.asynccontextmanager
    async def bound(self) -> AsyncIterator[None]:
        """Keeps the queue bound while inside: a job accepted inside is heard from its first
        event on, however soon it ends, by a `listen` entered later inside."""
        async with self._lock:
            if self._channel is None:
                await self._open()
            self._holders += 1
        try:
            yield
        finally:
            async with self._lock:
                self._holders -= 1
                await self._close_if_idle()

    @contextlib.asynccontextmanager
    async def listen(self, job_id: str) -> AsyncIterator[asyncio.Queue[Event]]:
        """Events of `job_id` published from the moment this is entered (from the moment
        `bound` was, inside it)."""
        inbox: asyncio.Queue[Event] = asyncio.Queue()
        async with self._lock:
            if self._channel is None:
                await self._open()
            self._listeners.setdefault(job_id, set()).add(inbox)
            for event in self._recent:  # heard before this listener came
                if getattr(event.data, "job_id", None) == job_id:
                    inbox.put_nowait(event)
        try:
            yield inbox
        finally:
            async with self._lock:
                listeners = self._listeners.get(job_id, set())
                listeners.discard(inbox)
                if not listeners:
                    self._listeners.pop(job_id, None)
                await self._close_if_idle()

    async def _close_if_idle(self) -> None:
        if not self._listeners and not self._holders:
            await self._close()

    async def stop(self) -> None:
        async with self._lock:
            await self._close()

    async def _open(self) -> None:
        self._channel = await self.connection.channel()
        queue = await topology.declare_listener(self._channel, KEYS)
        # No acks: a private, auto-deleted queue, nothing in it is worth redelivering.
        await queue.consume(self._on_message, no_ack=True)
        log.debug("live events listening")

    async def _close(self) -> None:
        self._recent.clear()
        if self._channel is not None:
            channel, self._channel = self._channel, None
            await channel.close()  # the exclusive queue goes with it

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = decode(message)
        except ValueError as exc:
            log.warning("ignoring undecodable live event: %s", exc)
            return
        self._recent.append(event)
        for inbox in self._listeners.get(getattr(event.data, "job_id", ""), ()):
            inbox.put_nowait(event)
