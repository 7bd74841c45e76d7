"""Live events: a job that ends before its listener starts is still heard, when the queue was
bound before the job was accepted (the seed's waiting routes do so)."""

import asyncio

import pytest

from producers.http.live import LiveEvents
from schemas.events import Event, JobCompleted, JobFailed
from schemas.jobs import JobError, JobOutput

pytestmark = pytest.mark.connected


def completed(job_id: str) -> Event:
    return Event.of(JobCompleted(job_id=job_id, provider="ideogram", seq=2,
                                 output=JobOutput(text="an upload id")))


async def test_an_event_heard_before_its_listener_came_is_handed_to_it(amqp, publisher):
    live = LiveEvents(amqp)
    async with live.bound():
        await publisher.publish(completed("live-fast"))
        await publisher.publish(Event.of(JobFailed(job_id="live-other", provider="ideogram",
                                                   seq=1, error=JobError(code="timeout",
                                                                         message="late"))))
        async with asyncio.timeout(5):
            while len(live._recent) < 2:  # both heard, neither listened for yet
                await asyncio.sleep(0.01)
        async with live.listen("live-fast") as inbox:
            event = await asyncio.wait_for(inbox.get(), 1)
            assert (event.type, event.data.job_id) == ("wowz.job.completed", "live-fast")
            assert inbox.empty()  # not the other job's
    assert live._channel is None  # unbound once nobody holds or listens

