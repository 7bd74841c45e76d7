"""Job events as they happen, for server-sent events: one private queue per ingress process,
consumed only while at least one client listens, fanned out in-process by job id."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from bus import topology
from bus.consumer import decode
from schemas.events import Event

log = logging.getLogger("wowz.http.live")

KEYS = ["job.started.#", "job.progress.#", "job.completed.#", "job.failed.#"]


class LiveEvents:
    def __init__(self, connection: AbstractConnection):
        self.connection = connection
        self._listeners: dict[str, set[asyncio.Queue[Event]]] = {}
        self._channel: AbstractChannel | None = None
        self._lock = asyncio.Lock()  # opening and closing the queue do not interleave

    @contextlib.asynccontextmanager
    async def listen(self, job_id: str) -> AsyncIterator[asyncio.Queue[Event]]:
        """Events of `job_id` published from the moment this is entered."""
        inbox: asyncio.Queue[Event] = asyncio.Queue()
        async with self._lock:
            if self._channel is None:
                await self._open()
            self._listeners.setdefault(job_id, set()).add(inbox)
        try:
            yield inbox
        finally:
            async with self._lock:
                listeners = self._listeners.get(job_id, set())
                listeners.discard(inbox)
                if not listeners:
                    self._listeners.pop(job_id, None)
                if not self._listeners:
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
        if self._channel is not None:
            channel, self._channel = self._channel, None
            await channel.close()  # the exclusive queue goes with it

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = decode(message)
        except ValueError as exc:
            log.warning("ignoring undecodable live event: %s", exc)
            return
        for inbox in self._listeners.get(getattr(event.data, "job_id", ""), ()):
            inbox.put_nowait(event)
