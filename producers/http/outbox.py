"""The outbox: a job row is written before its JobRequested is published, and `published_at`
says the bus confirmed it. The process that accepted a job publishes it (Announcer) and marks
it, both in batches off the request path; the relay publishes what a process accepted but never
confirmed (the bus was away, or the process died in between)."""

import asyncio
import logging
import uuid
from typing import Any

import asyncpg

from bus.publisher import Publisher
from schemas.events import Event, JobRequested
from schemas.jobs import Job
from store.jobs import mark_published, to_job, unpublished

log = logging.getLogger("wowz.outbox")

# A job's JobRequested has one id however often it is published (by the ingress, then again by
# the relay if the mark was lost), so consumers that dedupe by event id see it once.
REQUESTED_IDS = uuid.UUID("0b6f6b3e-5d0c-4d8a-9a51-3f1f0c2b7e11")


def requested_event(job: Job, requested_by: str | None, *, own_token: bool = False) -> Event:
    return Event.of(JobRequested(
        job_id=job.id, provider=job.provider, action=job.action, input=job.input,
        webhook=job.webhook, metadata=job.metadata, idempotency_key=job.idempotency_key,
        timeout_s=job.timeout_s, requested_by=requested_by, own_token=own_token),
        id=str(uuid.uuid5(REQUESTED_IDS, job.id)))


class Announcer:
    """Publishes the JobRequested of jobs this process accepted, off the request path: a
    request hands its job over and answers at once (the job is in Postgres, which is what
    accepted means), and a task publishes whatever has gathered meanwhile, in batches (a few
    in flight at once), then has the confirmed ones marked. Measured with benchmarks.ingress,
    a publish costs the process about half the CPU it did with each request awaiting its own
    confirm. A job not confirmed (the bus away, the process killed) stays unmarked, and the
    OutboxRelay publishes it."""

    def __init__(self, publisher: Publisher, marks: "PublishedMarks", *,
                 timeout_s: float = 5.0, max_batch: int = 100, max_batches: int = 4,
                 max_pending: int = 500):
        self.publisher = publisher
        self.marks = marks
        self.timeout_s = timeout_s
        self.max_batch = max_batch
        self.max_batches = max_batches  # in flight at once: the broker confirms as it goes
        self.max_pending = max_pending
        self._pending: list[tuple[Event, dict[str, Any] | None]] = []
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._task: asyncio.Task | None = None
        self._batches: set[asyncio.Task] = set()

    async def add(self, event: Event, headers: dict[str, Any] | None = None) -> None:
        """Returns at once, unless `max_pending` events wait already: then once fewer do, so
        that requests cannot outrun the bus."""
        self._pending.append((event, headers))
        self._wake.set()
        if len(self._pending) >= self.max_pending:
            self._room.clear()
        await self._room.wait()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-announcer")

    async def stop(self) -> None:
        """Publishes what was handed over (each try bounded by `timeout_s`), then stops."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.gather(*self._batches)
        while self._pending:
            await self._publish_some(self._take())
        self._room.set()

    async def _run(self) -> None:
        slots = asyncio.Semaphore(self.max_batches)
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                await slots.acquire()
                batch = asyncio.create_task(self._publish_some(self._take()))
                self._batches.add(batch)
                batch.add_done_callback(self._batches.discard)
                batch.add_done_callback(lambda _: slots.release())
                if len(self._pending) < self.max_pending:
                    self._room.set()

    def _take(self) -> list[tuple[Event, dict[str, Any] | None]]:
        batch = self._pending[:self.max_batch]
        del self._pending[:self.max_batch]
        return batch

    async def _publish_some(self, batch: list[tuple[Event, dict[str, Any] | None]]) -> None:
        try:
            async with asyncio.timeout(self.timeout_s):
                outcomes = await asyncio.gather(
                    *(self.publisher.publish(event, headers) for event, headers in batch),
                    return_exceptions=True)
        except TimeoutError:
            outcomes = [TimeoutError()] * len(batch)
        failed = 0
        for (event, _), outcome in zip(batch, outcomes):
            if isinstance(outcome, BaseException):
                failed += 1
            else:
                self.marks.add(event.data.job_id)
        if failed:
            log.warning("%d JobRequested not confirmed (%r); left to the outbox relay", failed,
                        next(o for o in outcomes if isinstance(o, BaseException)))


class PublishedMarks:
    """Collects the ids of confirmed jobs and marks them every `interval_s` in one UPDATE, so
    a request costs one INSERT and one publish."""

    def __init__(self, pool: asyncpg.Pool, interval_s: float = 0.05):
        self.pool = pool
        self.interval_s = interval_s
        self._ids: list[str] = []
        self._task: asyncio.Task | None = None

    def add(self, job_id: str) -> None:
        self._ids.append(job_id)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-marks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()

    async def flush(self) -> None:
        ids, self._ids = self._ids, []
        if not ids:
            return
        try:
            await mark_published(self.pool, ids)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            # Unmarked jobs are published again by the relay, with the same event id.
            log.exception("could not mark %d jobs published", len(ids))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.flush()


class OutboxRelay:
    """Every `interval_s`, publishes jobs unconfirmed for `older_than_s` and marks them, in one
    transaction whose row locks keep other replicas' relays off the same jobs."""

    def __init__(self, pool: asyncpg.Pool, publisher: Publisher, *, interval_s: float = 3.0,
                 older_than_s: float = 5.0):
        self.pool = pool
        self.publisher = publisher
        self.interval_s = interval_s
        self.older_than_s = older_than_s
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def relay_once(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await unpublished(conn, older_than_s=self.older_than_s)
            if not rows:
                return 0
            # A job's own provider token was never stored: its event goes out without it
            # (own_token says so) and the job fails with auth_expired at the consumer.
            await self.publisher.publish_many(
                [requested_event(to_job(r), r["api_key_id"], own_token=r["own_token"])
                 for r in rows])
            # The connection holding the row locks, not the pool: it has the same `execute`.
            await mark_published(conn, [r["id"] for r in rows])
        log.warning("outbox relay published %d stranded jobs", len(rows))
        return len(rows)

    async def _run(self) -> None:
        while True:
            try:
                while await self.relay_once():
                    pass  # a backlog: keep going without waiting
            except Exception:  # the relay must outlive a database or bus outage
                log.exception("outbox relay failed; retrying in %.0f s", self.interval_s)
            await asyncio.sleep(self.interval_s)
