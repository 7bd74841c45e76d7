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
