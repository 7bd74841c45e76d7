"""Another system on the bus: it publishes `wowz.job.requested` with a plain AMQP client (no
wowz code) and gets the same result as over HTTP; a malformed one is dead-lettered with the
reason and its job fails with `bad_input`."""

import asyncio
import json
import uuid

import aio_pika
import pytest

pytestmark = pytest.mark.e2e


async def publish_plain(job: dict, *, event_type: str = "wowz.job.requested") -> None:
    """What a non-wowz system does: properties, `cloudEvents:*` headers, JSON body."""
    from tests.conftest import TEST_AMQP

    connection = await aio_pika.connect(TEST_AMQP)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("wowz.events")
        event_id = str(uuid.uuid4())
        await exchange.publish(aio_pika.Message(
            json.dumps(job).encode(), content_type="application/json", message_id=event_id,
            type=event_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={"cloudEvents:specversion": "1.0", "cloudEvents:id": event_id,
                     "cloudEvents:source": "other-system", "cloudEvents:type": event_type,
                     "cloudEvents:subject": job.get("job_id", "")}),
            routing_key=f"job.requested.{job.get('provider', 'midjourney')}")


async def job_row(pool, job_id: str, status: str, timeout: float = 60.0):
    async def poll():
        while True:
            row = await pool.fetchrow("select * from jobs where id = $1", job_id)
            if row is not None and row["status"] == status:
                return row
            await asyncio.sleep(0.1)
    return await asyncio.wait_for(poll(), timeout)


async def failed_event(pool, job_id: str, timeout: float = 30.0) -> dict:
    async def poll():
        while True:
            data = await pool.fetchval("select data from job_events where job_id = $1 and "
                                       "type = 'wowz.job.failed'", job_id)
            if data is not None:
                return data
            await asyncio.sleep(0.1)
    return await asyncio.wait_for(poll(), timeout)


async def test_a_job_published_by_another_system_completes_like_one_over_http(
        platform, clean_db):
    job_id = str(uuid.uuid4())
    await publish_plain({"job_id": job_id, "provider": "midjourney", "seq": 0,
                         "action": "imagine", "input": {"prompt": "from another system"},
                         "metadata": {"source": "erp"}})
    row = await job_row(clean_db, job_id, "completed")
    assert len(row["output"]["images"]) == 4 and row["metadata"] == {"source": "erp"}


async def test_a_malformed_request_is_dead_lettered_and_its_job_fails_with_bad_input(
        platform, clean_db, amqp):
    bad_input = str(uuid.uuid4())
    await publish_plain({"job_id": bad_input, "provider": "midjourney", "seq": 0,
                         "action": "imagine", "input": {"prompt": "", "colour": "red"}})
    no_action = str(uuid.uuid4())
    await publish_plain({"job_id": no_action, "provider": "midjourney", "seq": 0})
    row = await job_row(clean_db, bad_input, "failed")
    assert row["error"]["code"] == "bad_input" and "input.prompt" in row["error"]["message"]
    # a request that does not decode has no job row, but its failure is on the bus and logged
    failed = await failed_event(clean_db, no_action)
    assert failed["error"]["code"] == "bad_input" and "action" in failed["error"]["message"]
    channel = await amqp.channel()
    dead = await channel.get_queue("wowz.dead")
    reasons = []
    for _ in range(50):
        message = await dead.get(fail=False)
        if message is None:
            if len(reasons) >= 2:
                break
            await asyncio.sleep(0.1)
            continue
        await message.ack()
        reasons.append(message.headers["x-wowz-dead-reason"])
    await channel.close()
    assert any("input.prompt" in r for r in reasons)
    assert any("action" in r for r in reasons)
