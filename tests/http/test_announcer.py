"""The announcer publishes accepted jobs off the request path: it marks only what the bus
confirmed, leaves the rest to the relay, and holds requests back once the bus lags behind."""

import asyncio

import pytest

from producers.http.outbox import Announcer
from schemas.events import Event, JobRequested

pytestmark = pytest.mark.unit


def requested(job_id: str) -> Event:
    return Event.of(JobRequested(job_id=job_id, provider="midjourney", action="imagine",
                                 input={"prompt": job_id}))


class Bus:
    """Confirms what it is given, except the jobs named in `refuse`; `hold` keeps every
    confirm back until set."""

    def __init__(self, refuse: frozenset[str] = frozenset()):
        self.refuse = refuse
        self.hold = asyncio.Event()
        self.hold.set()
        self.published: list[tuple[str, dict | None]] = []

    async def publish(self, event: Event, headers: dict | None = None) -> None:
        await self.hold.wait()
        if event.data.job_id in self.refuse:
            raise ConnectionError("not confirmed")
        self.published.append((event.data.job_id, headers))


class Marks:
    def __init__(self):
        self.ids: list[str] = []

    def add(self, job_id: str) -> None:
        self.ids.append(job_id)


async def settled(marks: Marks, count: int) -> None:
    async with asyncio.timeout(2):
        while len(marks.ids) < count:
            await asyncio.sleep(0.01)


async def test_confirmed_jobs_are_marked_and_the_unconfirmed_left_unmarked(caplog):
    bus, marks = Bus(refuse=frozenset({"j-2"})), Marks()
    announcer = Announcer(bus, marks)
    await announcer.start()
    try:
        for job_id in ("j-1", "j-2", "j-3"):
            await announcer.add(requested(job_id), {"x-token": job_id} if job_id == "j-3" else None)
        await settled(marks, 2)
    finally:
        await announcer.stop()
    assert sorted(marks.ids) == ["j-1", "j-3"]
    assert sorted(bus.published) == [("j-1", None), ("j-3", {"x-token": "j-3"})]
    assert "1 JobRequested not confirmed" in caplog.text


async def test_a_bus_that_does_not_answer_is_given_up_on_after_the_timeout():
    bus, marks = Bus(), Marks()
    bus.hold.clear()
    announcer = Announcer(bus, marks, timeout_s=0.2)
    await announcer.start()
    await announcer.add(requested("j-late"))
    await asyncio.sleep(0.4)
    bus.hold.set()
    await announcer.add(requested("j-next"))
    await settled(marks, 1)
    await announcer.stop()
    assert marks.ids == ["j-next"]  # j-late stays for the relay


async def test_requests_wait_once_the_backlog_is_full_and_stop_publishes_what_is_left():
    bus, marks = Bus(), Marks()
    bus.hold.clear()
    announcer = Announcer(bus, marks, max_pending=2, max_batches=1, timeout_s=5)
    await announcer.start()
    await announcer.add(requested("a"))  # taken by the task at once: held by the bus
    await asyncio.sleep(0.05)
    await announcer.add(requested("b"))
    third = asyncio.create_task(announcer.add(requested("c")))
    await asyncio.sleep(0.1)
    assert not third.done()  # two wait: the request is held back
    bus.hold.set()
    async with asyncio.timeout(2):
        await third
    await announcer.add(requested("d"))
    await announcer.stop()  # d may still be waiting: stop publishes it
    assert sorted(marks.ids) == ["a", "b", "c", "d"]
