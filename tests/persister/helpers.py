"""The events of a job as providers publish them, and waiting for what the persister wrote."""

import asyncio
import time
import uuid
from typing import Any

from schemas.events import (
    Event,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobRequested,
    JobStarted,
)
from schemas.jobs import Image, JobError, JobOutput


def new_id() -> str:
    return str(uuid.uuid4())


def requested(job_id: str, *, provider: str = "midjourney", **fields: Any) -> Event:
    fields.setdefault("input", {"prompt": "a cat in a teapot, sticker"})
    return Event.of(JobRequested(job_id=job_id, provider=provider, action="imagine", **fields))


def started(job_id: str, *, seq: int = 1, provider: str = "midjourney",
            account_id: str = "mj-alice") -> Event:
    return Event.of(JobStarted(job_id=job_id, provider=provider, seq=seq,
                               account_id=account_id, attempt=seq // 1_000_000 or 1))


def progress(job_id: str, *, percent: int = 50, seq: int = 2, provider: str = "midjourney",
             provider_job_id: str = "mj-job-1") -> Event:
    return Event.of(JobProgress(job_id=job_id, provider=provider, seq=seq, percent=percent,
                                stage="running", provider_job_id=provider_job_id))


def completed(job_id: str, *, seq: int = 3, provider: str = "midjourney",
              urls: tuple[str, ...] = ("https://storage.example/cat_0.png",
                                       "https://storage.example/cat_1.png"),
              account_id: str = "mj-alice", provider_job_id: str = "mj-job-1") -> Event:
    return Event.of(JobCompleted(
        job_id=job_id, provider=provider, seq=seq, provider_job_id=provider_job_id,
        account_id=account_id,
        output=JobOutput(images=[Image(url=u, index=i) for i, u in enumerate(urls)])))


def failed(job_id: str, code: str, *, seq: int = 3) -> Event:
    return Event.of(JobFailed(job_id=job_id, provider="midjourney", seq=seq,
                              error=JobError(code=code, message=f"job {code}")))


def lifecycle(job_id: str, **requested_fields: Any) -> list[Event]:
    return [requested(job_id, **requested_fields), started(job_id), progress(job_id),
            completed(job_id)]


async def eventually(check, timeout_s: float = 5.0):
    """Await `check()` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout_s
    while not (result := await check()):
        assert time.monotonic() < deadline, f"not within {timeout_s} s"
        await asyncio.sleep(0.02)
    return result


async def job_row(pool, job_id: str, *, status: str | None = None, timeout_s: float = 5.0):
    """The job's row once it exists (and has `status`, when given)."""
    async def check():
        row = await pool.fetchrow("select * from jobs where id = $1", job_id)
        return row if row is not None and status in (None, row["status"]) else None
    return await eventually(check, timeout_s)


async def settled(publisher, pool) -> None:
    """Everything published before has been written: one writer takes the queue in order, so
    once a job requested after them has its row, they are done."""
    marker = new_id()
    await publisher.publish(requested(marker))
    await job_row(pool, marker)


async def logged(pool, job_id: str) -> list[str]:
    """The types of the job's events in the log, in seq order."""
    return [r["type"] for r in await pool.fetch(
        "select type from job_events where job_id = $1 order by seq, type", job_id)]
