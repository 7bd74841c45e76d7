"""Stories of a job's events becoming its row: in order, twice, out of order, before the job
itself, and as the terminal failure a cancel ends with."""

import pytest

from schemas.jobs import JobRequest
from store import jobs
from tests.persister.helpers import (
    completed,
    failed,
    job_row,
    lifecycle,
    logged,
    new_id,
    progress,
    requested,
    settled,
    started,
)

pytestmark = pytest.mark.connected


async def test_a_job_published_on_the_bus_ends_as_a_completed_row_with_its_four_events(
        start_persister, publisher, clean_db):
    await start_persister()
    job_id = new_id()
    events = lifecycle(job_id, metadata={"team": "a"}, idempotency_key="k-1",
                       requested_by="key-1")
    await publisher.publish_many(events)

    row = await job_row(clean_db, job_id, status="completed")
    assert row["progress"] == 100
    assert row["output"]["images"][1]["url"] == "https://storage.example/cat_1.png"
    assert (row["account_id"], row["provider_job_id"]) == ("mj-alice", "mj-job-1")
    assert (row["provider"], row["action"], row["input"]) == (
        "midjourney", "imagine", {"prompt": "a cat in a teapot, sticker"})
    assert (row["metadata"], row["idempotency_key"], row["api_key_id"]) == (
        {"team": "a"}, "k-1", "key-1")
    assert row["created_at"] == events[0].time
    assert row["started_at"] == events[1].time
    assert row["finished_at"] == events[3].time
    assert row["published_at"] is not None and row["error"] is None
    assert row["seq"] == 3
    assert await logged(clean_db, job_id) == [
        "wowz.job.requested", "wowz.job.started", "wowz.job.progress", "wowz.job.completed"]


async def test_a_job_another_account_took_over_shows_that_account_in_its_row(
        start_persister, publisher, clean_db):
    await start_persister()
    job_id = new_id()
    await publisher.publish_many([
        requested(job_id), started(job_id), progress(job_id),  # attempt 1 on mj-alice
        started(job_id, seq=2_000_001, account_id="mj-bob"),
        progress(job_id, seq=2_000_002, provider_job_id="mj-job-2"),
        completed(job_id, seq=2_000_003, account_id="mj-bob", provider_job_id="mj-job-2")])

    row = await job_row(clean_db, job_id, status="completed")
    assert (row["account_id"], row["provider_job_id"]) == ("mj-bob", "mj-job-2")


async def test_events_delivered_twice_are_stored_once_and_change_nothing(
        start_persister, publisher, clean_db):
    await start_persister()
    job_id = new_id()
    events = lifecycle(job_id)
    await publisher.publish_many(events)
    first = await job_row(clean_db, job_id, status="completed")

    await publisher.publish_many(events + events)
    await settled(publisher, clean_db)

    assert await job_row(clean_db, job_id) == first  # updated_at included
    assert len(await logged(clean_db, job_id)) == 4


async def test_a_completed_job_stays_completed_whatever_arrives_late(
        start_persister, publisher, clean_db):
    await start_persister()
    job_id = new_id()
    await publisher.publish_many([requested(job_id), started(job_id), completed(job_id, seq=3)])
    done = await job_row(clean_db, job_id, status="completed")

    # the progress it skipped, one with a higher seq, and a failure: all logged, none applied
    await publisher.publish_many([progress(job_id, percent=40, seq=2),
                                  progress(job_id, percent=70, seq=9),
                                  failed(job_id, "provider_error", seq=10)])
    await settled(publisher, clean_db)

    row = await job_row(clean_db, job_id)
    assert (row["status"], row["progress"], row["output"]) == ("completed", 100, done["output"])
    assert row["error"] is None and row["finished_at"] == done["finished_at"]
    assert row["seq"] == 10
    assert len(await logged(clean_db, job_id)) == 6


async def test_events_in_one_batch_apply_in_seq_order_not_arrival_order(
        start_persister, publisher, clean_db):
    await start_persister(max_wait_s=0.3)
    job_id = new_id()
    await publisher.publish_many([requested(job_id), completed(job_id, seq=3),
                                  progress(job_id, percent=60, seq=2), started(job_id, seq=1)])

    row = await job_row(clean_db, job_id, status="completed")
    await settled(publisher, clean_db)
    row = await job_row(clean_db, job_id)
    assert (row["status"], row["progress"]) == ("completed", 100)
    assert (row["account_id"], row["provider_job_id"]) == ("mj-alice", "mj-job-1")
    assert row["started_at"] is not None


async def test_events_that_arrive_before_their_job_are_applied_when_it_is_requested(
        start_persister, publisher, clean_db):
    await start_persister()
    job_id = new_id()
    await publisher.publish_many([started(job_id), progress(job_id), completed(job_id)])
    await settled(publisher, clean_db)
    assert await clean_db.fetchval("select count(*) from jobs where id = $1", job_id) == 0
    assert len(await logged(clean_db, job_id)) == 3

    await publisher.publish(requested(job_id))

    row = await job_row(clean_db, job_id, status="completed")
    assert (row["progress"], row["account_id"], row["seq"]) == (100, "mj-alice", 3)
    assert row["started_at"] is not None and row["finished_at"] is not None
    assert len(await logged(clean_db, job_id)) == 4


async def test_a_job_the_ingress_wrote_is_moved_by_its_events_and_keeps_its_api_key(
        start_persister, publisher, clean_db):
    job, _ = await jobs.create_job(clean_db, request=JobRequest(
        provider="midjourney", action="imagine", input={"prompt": "a fox"}),
        api_key_id="key-9", idempotency_key=None)
    await start_persister()

    await publisher.publish_many([started(job.id), progress(job.id, percent=30)])
    await settled(publisher, clean_db)  # the two may land in different write batches

    row = await job_row(clean_db, job.id, status="processing")
    assert (row["progress"], row["api_key_id"], row["input"]) == (30, "key-9", {"prompt": "a fox"})


@pytest.mark.parametrize(("code", "status"), [
    ("cancelled", "cancelled"), ("timeout", "timeout"), ("moderated", "failed")])
async def test_a_failed_event_ends_the_job_with_the_status_its_code_names(
        start_persister, publisher, clean_db, code, status):
    await start_persister()
    job_id = new_id()
    await publisher.publish_many([requested(job_id), started(job_id), failed(job_id, code)])

    row = await job_row(clean_db, job_id, status=status)
    assert row["error"] == {"code": code, "message": f"job {code}", "retryable": False}
    assert row["finished_at"] is not None and row["output"] is None
