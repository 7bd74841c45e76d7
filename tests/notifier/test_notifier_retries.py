"""Stories of a receiver that does not answer 2xx: retried on the bus's delay schedule, stopped
by a 410, given up and announced when the schedule is used up, refused when internal."""

import asyncio
import json
import time

import pytest

from bus.publisher import DEAD_REASON
from bus.topology import DEAD_QUEUE
from store import deliveries
from tests.notifier.helpers import a_job, completed
from tests.notifier.receiver import Answer

pytestmark = pytest.mark.connected


async def settled(pool, job_id: str, count: int, timeout_s: float = 10.0):
    """The job's delivery rows, oldest first, once there are `count` of them."""
    deadline = time.monotonic() + timeout_s
    while len(rows := await deliveries.list_deliveries(pool, job_id=job_id)) < count:
        assert time.monotonic() < deadline, f"{len(rows)} of {count} deliveries recorded"
        await asyncio.sleep(0.05)
    return rows[::-1]


async def test_a_receiver_failing_once_gets_the_webhook_on_retry(
        start_notifier, receiver, publisher, webhook_events, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.answer(Answer(500))
    await start_notifier(retry_delays_s=[1, 1, 1])
    event = completed(job_id)
    await publisher.publish(event)

    first, second = await receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event.id
    assert 0.9 < second.at - first.at < 5
    failed, ok = await settled(clean_db, job_id, 2)
    assert (failed.attempt, failed.status_code, failed.delivered_at) == (1, 500, None)
    assert failed.next_attempt_at is not None and not failed.exhausted
    assert (ok.attempt, ok.status_code, ok.next_attempt_at) == (2, 200, None)
    assert ok.delivered_at is not None
    announced = await webhook_events.next()
    assert (announced.type, announced.data.attempt) == ("wowz.webhook.delivered", 2)


async def test_a_410_stops_the_deliveries_at_once(
        start_notifier, receiver, publisher, webhook_events, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.default = Answer(410)
    await start_notifier(retry_delays_s=[1, 1, 1])
    await publisher.publish(completed(job_id))

    announced = await webhook_events.next()
    assert announced.type == "wowz.webhook.exhausted"
    assert (announced.data.status_code, announced.data.attempt) == (410, 1)
    assert "410" in announced.data.error
    await asyncio.sleep(1.5)
    assert len(receiver.requests) == 1
    [row] = await settled(clean_db, job_id, 1)
    assert row.exhausted and row.next_attempt_at is None


async def test_a_receiver_failing_every_time_exhausts_the_schedule_and_is_announced(
        start_notifier, receiver, publisher, webhook_events, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.default = Answer(503)
    await start_notifier(retry_delays_s=[1, 1])
    event = completed(job_id)
    await publisher.publish(event)

    announced = await webhook_events.next()
    assert announced.type == "wowz.webhook.exhausted"
    assert (announced.data.event_id, announced.data.attempt) == (event.id, 3)
    assert "503" in announced.data.error
    rows = await settled(clean_db, job_id, 3)
    assert [(r.attempt, r.status_code, r.exhausted) for r in rows] == [
        (1, 503, False), (2, 503, False), (3, 503, True)]
    assert len(receiver.requests) == 3


async def test_a_429_is_retried_after_the_time_the_receiver_asked_for(
        start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.answer(Answer(429, headers=(("Retry-After", "2"),)))
    await start_notifier(retry_delays_s=[1])
    await publisher.publish(completed(job_id))

    first, second = await receiver.wait_for(2, timeout_s=15)
    assert second.at - first.at >= 2  # not the schedule's 1 s
    limited, ok = await settled(clean_db, job_id, 2)
    assert limited.status_code == 429 and ok.delivered_at is not None


async def test_a_redirect_is_not_followed(start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.answer(Answer(307, headers=(("Location", receiver.url("/elsewhere")),)))
    await start_notifier(retry_delays_s=[])
    await publisher.publish(completed(job_id))

    [row] = await settled(clean_db, job_id, 1)
    assert (row.status_code, row.exhausted) == (307, True)
    assert [r.path for r in receiver.requests] == ["/hook"]


async def test_a_receiver_too_slow_to_answer_times_out(
        start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    receiver.answer(Answer(200, delay_s=1.5))
    await start_notifier(retry_delays_s=[], timeout_s=0.5)
    await publisher.publish(completed(job_id))

    [row] = await settled(clean_db, job_id, 1)
    assert (row.status_code, row.error, row.exhausted) == (None, "timed out after 0.5 s", True)
    assert row.duration_ms < 1400


async def test_a_webhook_to_a_private_address_is_refused_at_once(
        start_notifier, receiver, publisher, webhook_events, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier(allow_private_urls=False, retry_delays_s=[1, 1])
    await publisher.publish(completed(job_id))

    announced = await webhook_events.next()
    assert announced.type == "wowz.webhook.exhausted"
    assert announced.data.error == "refused: 127.0.0.1 resolves to 127.0.0.1: loopback address"
    [row] = await settled(clean_db, job_id, 1)
    assert (row.attempt, row.status_code, row.exhausted) == (1, None, True)
    assert row.error == "127.0.0.1 resolves to 127.0.0.1: loopback address"
    assert receiver.requests == []


async def test_a_webhook_to_a_private_address_is_delivered_when_allowed(
        start_notifier, receiver, publisher, clean_db):
    job_id, _ = await a_job(clean_db, receiver.url("/hook"))
    await start_notifier(allow_private_urls=True)
    await publisher.publish(completed(job_id))

    [request] = await receiver.wait_for(1)
    assert json.loads(request.body)["data"]["job_id"] == job_id


async def test_a_webhook_to_localhost_is_refused_by_what_the_name_resolves_to(
        start_notifier, receiver, publisher, clean_db):
    url = receiver.url("/hook").replace("127.0.0.1", "localhost")
    job_id, _ = await a_job(clean_db, url)
    await start_notifier(allow_private_urls=False)
    await publisher.publish(completed(job_id))

    [row] = await settled(clean_db, job_id, 1)
    assert row.error.startswith("localhost resolves to ") and "loopback" in row.error
    assert receiver.requests == []


async def test_a_name_is_called_at_the_address_checked_with_its_host_header(
        start_notifier, receiver, publisher, clean_db):
    url = receiver.url("/hook?signature=abc").replace("127.0.0.1", "localhost")
    job_id, _ = await a_job(clean_db, url)
    await start_notifier(allow_private_urls=True)
    await publisher.publish(completed(job_id))

    [request] = await receiver.wait_for(1)
    assert request.headers["host"] == f"localhost:{receiver.server.server_port}"
    assert request.path == "/hook?signature=abc"


async def test_a_job_that_never_appears_is_dead_lettered_with_the_reason(
        start_notifier, publisher, clean_bus, clean_db):
    await start_notifier(row_waits=2)
    await publisher.publish(completed("job-nobody-wrote"))

    channel = await clean_bus.channel()
    dead = await channel.get_queue(DEAD_QUEUE)
    deadline = time.monotonic() + 10
    while (message := await dead.get(no_ack=True, fail=False)) is None:
        assert time.monotonic() < deadline, "nothing dead-lettered"
        await asyncio.sleep(0.1)
    await channel.close()
    assert "job job-nobody-wrote not found after 2 waits" in message.headers[DEAD_REASON]
    assert json.loads(message.body)["job_id"] == "job-nobody-wrote"
