"""Stories of a client getting its job back as a webhook: signed, to the URL exactly as given,
once per event, only the events it asked for, and again on a replay."""

import asyncio
import json
import time

import pytest
from standardwebhooks import Webhook

from bus.topology import NOTIFIER_QUEUE
from consumers.notifier.service import REPLAY
from store import deliveries
from tests.notifier.helpers import a_job, completed, failed, progress
from tests.notifier.receiver import Answer

pytestmark = pytest.mark.connected

RESUME = "/webhook-waiting/4711?signature=abc%2Fd&x=1+2"  # an n8n resume URL


async def test_a_completed_job_calls_its_n8n_resume_url_once_signed(
        start_notifier, receiver, publisher, webhook_events, clean_db):
    job_id, secret = await a_job(clean_db, receiver.url(RESUME))
    await start_notifier()
    event = completed(job_id)
    await publisher.publish(event)

    [request] = await receiver.wait_for(1)
    assert request.path == RESUME
    body = Webhook(secret).verify(request.body, request.headers)
    assert body["type"] == "wowz.job.completed"
    assert body["data"] == {
        "job_id": job_id, "status": "completed", "provider": "midjourney", "action": "imagine",
        "progress": 100, "output": event.data.output.model_dump(mode="json"), "error": None,
        "metadata": {"idea_id": "idea-1"}, "seq": 3}
    assert request.headers["webhook-id"] == event.id
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "wowz-webhooks/1"

    announced = await webhook_events.next()
    assert announced.type == "wowz.webhook.delivered"
    assert (announced.data.event_id, announced.data.status_code) == (event.id, 200)
    [row] = await deliveries.list_deliveries(clean_db, job_id=job_id)
    assert row.delivered_at is not None and row.attempt == 1 and row.url == receiver.url(RESUME)
    assert row.payload == body
    assert await deliveries.get_delivery(clean_db, row.id) == row
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 1


async def test_progress_is_sent_only_to_a_webhook_that_asked_for_it(
        start_notifier, receiver, publisher, clean_db):
    terminal_only, _ = await a_job(clean_db, receiver.url("/terminal"))
    every_step, _ = await a_job(clean_db, receiver.url("/steps"),
                                events=["progress", "completed"])
    await start_notifier()
    for job_id in (terminal_only, every_step):
        await publisher.publish(progress(job_id, percent=40))
    await publisher.publish(completed(terminal_only))

    requests = await receiver.wait_for(2)
    await asyncio.sleep(0.3)
    sent = sorted((r.path, json.loads(r.body)["data"]["status"],
                   json.loads(r.body)["data"]["progress"]) for r in receiver.requests)
    assert sent == [("/steps", "processing", 40), ("/terminal", "completed", 100)]
    assert len(requests) == 2


@pytest.mark.parametrize(("code", "status"), [
    ("cancelled", "cancelled"), ("timeout", "timeout"), ("moderated", "failed")])
async def test_a_failed_job_reports_its_final_status_and_error(
        start_notifier, receiver, publisher, clean_db, code, status):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier()
    await publisher.publish(failed(job_id, code))

    [request] = await receiver.wait_for(1)
    data = json.loads(request.body)["data"]
    assert (data["status"], data["error"]["code"], data["output"]) == (status, code, None)


async def test_a_redelivered_event_is_not_sent_twice(
        start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier()
    event = completed(job_id)
    await publisher.publish(event)
    await receiver.wait_for(1)
    await asyncio.sleep(0.2)  # the delivery is recorded after the receiver answered

    await publisher.publish(event)  # the same event id, as after a consumer crash
    await asyncio.sleep(0.5)
    assert len(receiver.requests) == 1
    assert len(await deliveries.list_deliveries(clean_db, job_id=job_id)) == 1


async def test_a_replay_sends_a_delivered_event_again(
        start_notifier, receiver, publisher, clean_db):
    job_id, secret = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier()
    event = completed(job_id)
    await publisher.publish(event)
    await receiver.wait_for(1)
    # What the persister logs for every event, and the replay reads back.
    await clean_db.execute(
        "insert into job_events (id, job_id, type, seq, data, time) values ($1,$2,$3,$4,$5,$6)",
        event.id, job_id, event.type, event.data.seq, event.data.model_dump(mode="json"),
        event.time)

    original = await deliveries.load_event(clean_db, event.id)
    assert original == event.model_copy(update={"subject": job_id})
    await publisher.send(NOTIFIER_QUEUE, original, headers={REPLAY: "1"})

    first, again = await receiver.wait_for(2)
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == event.id
    assert Webhook(secret).verify(again.body, again.headers) == json.loads(first.body)
    await asyncio.sleep(0.2)
    rows = await deliveries.list_deliveries(clean_db, job_id=job_id)
    assert [r.delivered_at is not None for r in rows] == [True, True]


async def test_a_job_published_without_an_api_key_is_sent_unsigned(
        start_notifier, receiver, publisher, clean_db, caplog):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"), signed=False)
    await start_notifier()
    event = completed(job_id)
    await publisher.publish(event)

    [request] = await receiver.wait_for(1)
    assert "webhook-signature" not in request.headers
    assert request.headers["webhook-id"] == event.id
    assert "unsigned" in caplog.text


async def test_an_event_for_a_job_not_written_yet_is_sent_once_the_row_is_there(
        start_notifier, receiver, publisher, clean_db):
    await start_notifier()
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    row = dict(await clean_db.fetchrow("delete from jobs where id = $1 returning *", job_id))
    await publisher.publish(completed(job_id))
    await asyncio.sleep(0.3)
    await clean_db.execute(  # the persister catches up
        f"insert into jobs ({', '.join(row)}) values "
        f"({', '.join(f'${i}' for i in range(1, len(row) + 1))})", *row.values())

    [request] = await receiver.wait_for(1)
    assert json.loads(request.body)["data"]["job_id"] == job_id


async def test_a_notifier_stopping_mid_delivery_finishes_it_first(
        start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.answer(Answer(200, delay_s=0.5))
    notifier = await start_notifier()
    await publisher.publish(completed(job_id))
    await receiver.wait_for(1)

    await notifier.stop()
    [row] = await deliveries.list_deliveries(clean_db, job_id=job_id)
    assert row.delivered_at is not None


async def test_a_client_reading_its_job_when_the_webhook_arrives_sees_it_completed(
        start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier(persisted_wait_s=5)
    await publisher.publish(completed(job_id, seq=3))
    await asyncio.sleep(0.3)
    assert receiver.requests == []  # the persister has not written it yet

    written_at = time.monotonic()
    await clean_db.execute("update jobs set status = 'completed', seq = 3 where id = $1", job_id)
    [request] = await receiver.wait_for(1)
    assert request.at >= written_at


async def test_a_terminal_webhook_is_sent_even_if_the_job_row_never_shows_it(
        start_notifier, receiver, publisher, clean_db, caplog):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier(persisted_wait_s=0.3)
    sent_at = time.monotonic()
    await publisher.publish(completed(job_id))

    [request] = await receiver.wait_for(1)
    assert request.at - sent_at >= 0.3
    assert json.loads(request.body)["data"]["status"] == "completed"
    assert "before the job row shows it" in caplog.text
    await asyncio.sleep(0.5)
    assert len(receiver.requests) == 1


async def test_an_event_ahead_of_its_job_row_waits_for_it_and_is_delivered_as_a_first_attempt(
        start_notifier, receiver, publisher, clean_db):
    """A job published straight on the bus, its row written late by a busy persister."""
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await clean_db.execute("update jobs set id = id || '-aside' where id = $1", job_id)
    await start_notifier(persisted_wait_s=0.1)
    await publisher.publish(completed(job_id))
    await asyncio.sleep(3.5)  # three 1 s waits used up: the old limit
    assert receiver.requests == []
    await clean_db.execute("update jobs set id = $1, status = 'completed', seq = 3 "
                           "where id = $1 || '-aside'", job_id)
    await receiver.wait_for(1, timeout_s=10)
    [row] = await deliveries.list_deliveries(clean_db, job_id=job_id)
    assert row.attempt == 1 and row.delivered_at is not None
