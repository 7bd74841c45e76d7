"""Two copies of one request in one process (the broker redelivered it after a reconnect while
the first copy was still being handled): the job is submitted to the provider once."""

import asyncio

import pytest

from consumers.providers.runner import JobRunner
from schemas.events import JobRequested
from schemas.jobs import JobOutput
from store import runs
from store.objects import LocalStore

pytestmark = pytest.mark.connected


class Slow:
    """A provider account whose job takes a moment, counting submissions."""

    def __init__(self):
        self.submissions = 0

    async def check_health(self) -> None:
        return None

    async def run(self, ctx) -> JobOutput:
        self.submissions += 1
        await asyncio.sleep(0.3)
        return JobOutput(text="done")

    async def close(self) -> None:
        return None


class Outage:
    """A publisher whose first publish waits until `back` is set, as one does while the broker
    is away."""

    def __init__(self, publisher):
        self.publisher = publisher
        self.waiting, self.back = asyncio.Event(), asyncio.Event()

    async def publish(self, event, headers=None) -> None:
        if not self.waiting.is_set():
            self.waiting.set()
            await self.back.wait()
        await self.publisher.publish(event, headers)


async def test_a_copy_redelivered_while_the_first_waits_on_the_bus_submits_nothing(
        clean_db, publisher, tmp_path):
    bus = Outage(publisher)
    runner = JobRunner(pool=clean_db, publisher=bus,
                       objects=LocalStore(tmp_path, "http://127.0.0.1:1"))
    account = Slow()
    job = JobRequested(job_id="copies-1", provider="midjourney", action="imagine",
                       input={"prompt": "a fox"})
    first = asyncio.create_task(runner.run(job, adapter=account, account_id="mj-1", fresh=True))
    await bus.waiting.wait()  # the first copy publishes `started` through the outage
    copy = asyncio.create_task(runner.run(job, adapter=account, account_id="mj-1", fresh=False))
    await asyncio.sleep(0.1)
    bus.back.set()
    await asyncio.wait_for(asyncio.gather(first, copy), 10)
    assert account.submissions == 1
    assert await runs.finished(clean_db, "copies-1") and not runner.handling


class HeldTerminal:
    """A publisher that holds the job's terminal event until `release`, as a broker going away
    right then does; it counts what it published."""

    def __init__(self, publisher):
        self.publisher = publisher
        self.held, self.released = asyncio.Event(), asyncio.Event()
        self.types: list[str] = []

    async def publish(self, event, headers=None) -> None:
        if event.type in ("wowz.job.completed", "wowz.job.failed"):
            self.held.set()
            await self.released.wait()
        await self.publisher.publish(event, headers)
        self.types.append(event.type)

    def release(self) -> None:
        self.released.set()


async def test_a_handler_cut_off_while_its_job_ends_leaves_one_terminal_event(
        clean_db, publisher, tmp_path):
    """aiormq cancels the handlers of a connection the broker closed: one cut off between
    publishing `completed` and recording the finish must not leave the job to be run and ended
    again by the redelivered copy."""
    bus = HeldTerminal(publisher)
    runner = JobRunner(pool=clean_db, publisher=bus,
                       objects=LocalStore(tmp_path, "http://127.0.0.1:1"))
    account = Slow()
    job = JobRequested(job_id="copies-2", provider="midjourney", action="imagine",
                       input={"prompt": "a hare"})
    first = asyncio.create_task(runner.run(job, adapter=account, account_id="mj-1", fresh=True))
    await asyncio.wait_for(bus.held.wait(), 10)
    first.cancel()  # the connection closed while `completed` was on its way
    with pytest.raises(asyncio.CancelledError):
        await first
    copy = asyncio.create_task(runner.run(job, adapter=account, account_id="mj-1"))
    await asyncio.sleep(0.2)
    bus.release()
    await asyncio.wait_for(copy, 10)
    assert bus.types.count("wowz.job.completed") == 1
    assert "wowz.job.failed" not in bus.types and account.submissions == 1
    assert await runs.finished(clean_db, "copies-2") and not runner.finishing
