"""A client follows its job as server-sent events: what happened so far, then what happens,
until the job ends."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest

from bus.publisher import Publisher
from schemas.events import Event, JobCompleted, JobProgress, JobRequested, JobStarted
from schemas.jobs import JobOutput, parse_request
from store import jobs
from tests.http.conftest import JOB, auth

pytestmark = pytest.mark.connected


async def log_event(pool, event: Event) -> None:
    """What the persister does with every job event."""
    await pool.execute(
        "insert into job_events (id, job_id, type, seq, data, time) values ($1,$2,$3,$4,$5,$6)",
        event.id, event.data.job_id, event.type, event.data.seq,
        event.data.model_dump(mode="json"), datetime.now(UTC))


async def quiet_job(pool, key) -> dict:
    """A job of `key` that no provider will pick up: stored and marked published, but not
    put on the bus, so every event of it comes from the test."""
    job, _ = await jobs.create_job(pool, request=parse_request(JOB), api_key_id=key.key.id,
                                   idempotency_key=None)
    await jobs.mark_published(pool, [job.id])
    return job.model_dump(mode="json")


async def read_frames(response, frames: list[dict], enough: asyncio.Event, want: int) -> None:
    frame: dict = {}
    async for line in response.aiter_lines():
        if line.startswith(":"):
            continue
        if not line:
            frames.append(frame)
            frame = {}
            if len(frames) >= want:
                enough.set()
            continue
        name, _, value = line.partition(": ")
        frame[name] = json.loads(value) if name == "data" else value


async def test_events_stream_the_logged_ones_then_live_ones_and_end_at_completion(
        api, key, pool, clean_bus):
    job = await quiet_job(pool, key)
    requested = Event.of(JobRequested(job_id=job["id"], provider="midjourney", action="imagine",
                                      input=job["input"]))
    started = Event.of(JobStarted(job_id=job["id"], provider="midjourney", seq=1,
                                  account_id="mj-1", attempt=1))
    for event in (requested, started):
        await log_event(pool, event)
    progress = Event.of(JobProgress(job_id=job["id"], provider="midjourney", seq=2, percent=40,
                                    stage="rendering"))
    completed = Event.of(JobCompleted(job_id=job["id"], provider="midjourney", seq=3,
                                      output=JobOutput(text="done")))
    other_job = Event.of(JobProgress(job_id=str(uuid.uuid4()), provider="midjourney", seq=1,
                                     percent=10, stage="queued"))

    publisher = await Publisher.open(clean_bus)
    frames: list[dict] = []
    logged_read = asyncio.Event()
    async with api.client.stream("GET", f"/v1/jobs/{job['id']}/events",
                                 headers=auth(key)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = asyncio.create_task(read_frames(response, frames, logged_read, want=2))
        await asyncio.wait_for(logged_read.wait(), 5)
        # `started` again (a redelivery) must not show twice; another job's must not show.
        for event in (started, other_job, progress, completed):
            await publisher.publish(event)
        await asyncio.wait_for(reader, 5)  # the stream ends by itself
    await publisher.close()

    assert [f["event"] for f in frames] == [
        "wowz.job.requested", "wowz.job.started", "wowz.job.progress", "wowz.job.completed"]
    assert [f["id"] for f in frames] == [requested.id, started.id, progress.id, completed.id]
    assert frames[2]["data"]["percent"] == 40
    assert frames[3]["data"]["output"]["text"] == "done"


async def test_events_of_a_finished_job_are_the_logged_ones_then_the_end(api, key, pool):
    job = await quiet_job(pool, key)
    completed = Event.of(JobCompleted(job_id=job["id"], provider="midjourney", seq=1,
                                      output=JobOutput(text="done")))
    await log_event(pool, completed)
    await pool.execute("update jobs set status = 'completed' where id = $1", job["id"])

    response = await api.client.get(f"/v1/jobs/{job['id']}/events", headers=auth(key))
    assert response.status_code == 200
    id_line, event_line, data_line, *rest = response.text.split("\n")
    assert (id_line, event_line, rest) == (f"id: {completed.id}", "event: wowz.job.completed",
                                           ["", ""])
    assert json.loads(data_line.removeprefix("data: ")) == completed.data.model_dump(mode="json")


async def test_events_of_an_unknown_job_are_a_404(api, key):
    response = await api.client.get(f"/v1/jobs/{uuid.uuid4()}/events", headers=auth(key))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
