"""What a provider adapter sees of the platform while it runs one job."""

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

import asyncpg

from bus.provider_token import ProviderToken
from bus.publisher import Publisher
from schemas.events import Event, JobEvent, JobProgress, JobRequested
from schemas.jobs import JobOutput
from store import runs
from store.db import persistently
from store.objects import ObjectStore

T = TypeVar("T")


class Seq:
    """`seq` for this attempt's events: above every event of earlier attempts (requested is 0)."""

    def __init__(self, attempt: int):
        self._next = itertools.count(attempt * 1_000_000 + 1)

    def __call__(self) -> int:
        return next(self._next)


async def unbroken(underway: dict[str, asyncio.Task[T]], key: str,
                   work: Coroutine[Any, Any, T]) -> T:
    """Run `work` as a task that a cancelled caller does not cut short, listed in `underway`
    under `key` until it ends (so that a copy of the job arriving meanwhile can wait for it)."""
    task = asyncio.create_task(work)
    underway[key] = task

    def ended(_: asyncio.Task[T]) -> None:
        if underway.get(key) is task:
            del underway[key]
        if not task.cancelled():
            task.exception()  # read here too: its caller may be gone (cancelled) and not read it

    task.add_done_callback(ended)
    return await asyncio.shield(task)


class JobContext:
    def __init__(self, *, job: JobRequested, account_id: str, attempt: int,
                 provider_job_id: str | None, pool: asyncpg.Pool, publisher: Publisher,
                 objects: ObjectStore, submits: dict[str, asyncio.Task[str]],
                 provider_token: ProviderToken | None = None):
        self.job = job
        self.account_id = account_id
        self.attempt = attempt
        self.provider_job_id = provider_job_id
        self.objects = objects
        # The client's own token for this job alone (None: the account's credentials).
        self.provider_token = provider_token
        self.seq = Seq(attempt)
        self._pool = pool
        self._publisher = publisher
        self._submits = submits
        self._last_percent = -1
        # Called when progress moves: the runner pushes the job's deadline on (a slow job that
        # keeps progressing is not a dead one).
        self.on_progress: Callable[[], None] | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        """For adapters that read other jobs (e.g. the parent of an upscale)."""
        return self._pool

    async def emit(self, data: JobEvent) -> None:
        await self._publisher.publish(Event.of(data))

    def event(self, model: type[JobEvent], **fields: Any) -> JobEvent:
        return model(job_id=self.job.job_id, provider=self.job.provider, seq=self.seq(), **fields)

    async def submit(self, send: Callable[[], Awaitable[str]]) -> str:
        """Submit the job to the provider with `send` (one request; it returns the provider's
        job id) and record the id before anything else, so that a redelivery resumes the job
        instead of submitting it again.

        Sending and recording run as one task that a cancelled caller does not cut short. A
        handler is cancelled when its connection closes (aiormq cancels every handler of a
        connection the broker closed), and a request already on its way still creates the job
        at the provider (the browser sends it whatever happens to the code that asked), so
        cutting the task short would lose the only record of it: the broker's redelivery
        would then submit the job a second time. The task stays in `submits` (the runner's)
        until it ends, and a copy of the job arriving meanwhile waits for it.
        A submission in another process that died before recording the answer is not covered:
        nothing tells whether the provider got it (docs/reliability.md)."""
        async def send_and_record() -> str:
            provider_job_id = await send()
            await persistently(lambda: runs.set_provider_job_id(
                self._pool, job_id=self.job.job_id, provider_job_id=provider_job_id))
            return provider_job_id

        self.provider_job_id = await unbroken(self._submits, self.job.job_id, send_and_record())
        await self.progress(0, "submitted")
        return self.provider_job_id

    async def progress(self, percent: int, stage: str, preview_url: str | None = None) -> None:
        """Emit progress when it moved (the provider is polled often; the bus needn't hear it)."""
        if percent == self._last_percent and stage != "submitted":
            return
        if percent > self._last_percent and self.on_progress is not None:
            self.on_progress()
        self._last_percent = percent
        await self.emit(self.event(JobProgress, percent=percent, stage=stage,
                                   preview_url=preview_url, provider_job_id=self.provider_job_id))


class Adapter(Protocol):
    """One provider account's way of doing jobs."""

    async def check_health(self) -> None:
        """Raise AuthExpired (or another ProviderError) when the account can't work."""

    async def run(self, ctx: JobContext) -> JobOutput:
        """Do the job (resuming ctx.provider_job_id when set); store outputs; return them."""

    async def close(self) -> None:
        """Release the browser session."""
