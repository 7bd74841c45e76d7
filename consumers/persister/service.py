"""The persister: every job event into Postgres, in batches.

Deliveries go into a buffer; one writer takes up to `batch_size` of them (what is there, or what
arrived within `max_wait_s` of the first; by default it does not wait: batches grow by
themselves while a write is under way, and an idle system writes at once), writes them in one transaction and only then acks them all with one
`ack(multiple=True)` on the last delivery tag, which is valid because the channel has this one
consumer. While the write fails (Postgres down, a bad statement) nothing is acked and the same
batch is tried again after a growing pause: nothing is lost, nothing acked early."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from bus import topology
from bus.consumer import Subscription, ack, decode, subscribe
from bus.publisher import Publisher
from schemas.events import Event, JobEvent
from store import events

log = logging.getLogger("wowz.persister")
T = TypeVar("T")

BACKOFF_S = (0.1, 5.0)  # first and longest pause between two tries of a batch
ATTEMPT_TIMEOUT_S = 30.0  # a connection that hangs counts as a failed try
STOP_GRACE_S = 10.0  # what is still unwritten after this goes back to the queue


class Persister:
    name = "persister"

    def __init__(self, pool: asyncpg.Pool, connection: AbstractConnection, *,
                 batch_size: int = 200, max_wait_s: float = 0.0, prefetch: int = 1000):
        self.pool = pool
        self.connection = connection
        self.batch_size = batch_size
        self.max_wait_s = max_wait_s
        self.prefetch = prefetch
        self._buffer: asyncio.Queue[AbstractIncomingMessage | None] = asyncio.Queue()
        self._channel: AbstractChannel | None = None
        self._publisher: Publisher | None = None
        self._subscription: Subscription | None = None
        self._writer: asyncio.Task | None = None

    async def start(self) -> None:
        self._publisher = await Publisher.open(self.connection)
        self._channel = await self.connection.channel()
        await self._channel.set_qos(prefetch_count=self.prefetch)
        self._writer = asyncio.create_task(self._write_loop())
        self._subscription = await subscribe(self._channel, topology.PERSISTER_QUEUE,
                                             self._buffer.put)
        log.info("persister consuming", extra={"prefetch": self.prefetch,
                                               "batch_size": self.batch_size})

    async def stop(self) -> None:
        """Stop consuming, write what the buffer holds, then close; what could not be written
        within the grace time stays unacked and goes back to the queue."""
        if self._subscription is not None:
            await self._subscription.cancel()
            self._subscription = None
        if self._writer is not None:
            self._buffer.put_nowait(None)  # the writer's signal: flush, then end
            try:
                await asyncio.wait_for(self._writer, STOP_GRACE_S)
            except TimeoutError:
                log.warning("persister stopped with events unwritten; they stay on the queue",
                            extra={"buffered": self._buffer.qsize()})
            self._writer = None
        for closing in (self._channel, self._publisher):
            if closing is not None:
                await closing.close()
        self._channel = self._publisher = None

    async def _write_loop(self) -> None:
        while batch := await self._next_batch():
            await self._write(batch)
            if batch[-1] is None:
                return

    async def _next_batch(self) -> list[AbstractIncomingMessage | None]:
        """The next message, then what follows it within max_wait_s, up to batch_size; ends at
        the stop signal (None), which it keeps as the last item."""
        batch = [await self._buffer.get()]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.batch_size and batch[-1] is not None:
            if self._buffer.empty():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._buffer.get(), remaining))
                except TimeoutError:
                    break
            else:
                batch.append(self._buffer.get_nowait())
        return batch

    async def _write(self, batch: list[AbstractIncomingMessage | None]) -> None:
        messages = [m for m in batch if m is not None]
        if not messages:
            return
        started = time.monotonic()
        decoded = [e for e in [await self._decode(m) for m in messages] if e is not None]
        written = (await self._until_done("batch write", lambda: self._store(decoded))
                   if decoded else events.Written())
        if not await ack(messages[-1], multiple=True):
            log.warning("batch written but its channel is gone; redelivery will be a no-op",
                        extra={"size": len(messages)})
        log.debug("batch written", extra={
            "size": len(messages), "new_events": written.new,
            "duration_ms": round((time.monotonic() - started) * 1000, 1)})
        for change in written.changes:
            log.info("job %s", change.status, extra={
                "job_id": change.job_id, "provider": change.provider, "status": change.status,
                "previous": change.previous})

    async def _decode(self, message: AbstractIncomingMessage) -> Event | None:
        """The event, or None once the message is dead-lettered with the reason (it is acked
        with the batch)."""
        try:
            event = decode(message)
        except ValueError as exc:
            reason = f"undecodable: {exc}"
        else:
            if isinstance(event.data, JobEvent):
                return event
            reason = f"not a job event: {event.type}"
        log.warning("dead-lettering a message the persister cannot store",
                    extra={"message_id": message.message_id, "reason": reason})
        await self._until_done("dead-letter", lambda: self._publisher.dead_letter(
            message, queue=topology.PERSISTER_QUEUE, reason=reason))
        return None

    async def _store(self, batch: list[Event]) -> events.Written:
        async with self.pool.acquire() as conn, conn.transaction():
            return await events.write_batch(conn, batch)

    async def _until_done(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Try until it succeeds, pausing longer each time: the messages stay unacked meanwhile,
        so giving up could only lose them."""
        pause = BACKOFF_S[0]
        while True:
            try:
                async with asyncio.timeout(ATTEMPT_TIMEOUT_S):
                    return await attempt()
            except Exception as exc:  # noqa: BLE001 - whatever failed, the same try is repeated
                log.warning("%s failed, trying again in %.1f s: %r", what, pause, exc)
            await asyncio.sleep(pause)
            pause = min(pause * 2, BACKOFF_S[1])
