"""Stories of what goes wrong: messages that are not events go to the dead-letter queue with
the reason while the rest is stored, and a database that goes away loses nothing."""

import asyncio

import aio_pika
import pytest

from bus import topology
from bus.publisher import DEAD_REASON
from consumers.persister import service
from tests.persister.helpers import eventually, job_row, lifecycle, new_id

pytestmark = pytest.mark.connected


async def ready(amqp, queue: str) -> int:
    """Messages waiting in `queue`, not delivered to any consumer."""
    channel = await amqp.channel()
    try:
        return (await channel.declare_queue(queue, passive=True)).declaration_result.message_count
    finally:
        await channel.close()


async def stored_events(pool, job_ids: list[str]) -> int:
    return await pool.fetchval("select count(*) from job_events where job_id = any($1::text[])",
                               job_ids)


async def test_garbage_and_wrong_shaped_events_are_dead_lettered_with_the_reason_and_the_rest_stored(
        start_persister, publisher, clean_db, amqp):
    await start_persister()
    exchange = await publisher.channel.get_exchange(topology.EVENTS)
    await exchange.publish(aio_pika.Message(
        b"\xff\x00 not json", message_id="junk-1", content_type="application/json",
        headers={"cloudEvents:type": "wowz.job.progress"}), routing_key="job.progress.x")
    await exchange.publish(aio_pika.Message(
        b'{"job_id": "j-1", "provider": "midjourney", "seq": 1}', message_id="bad-1",
        content_type="application/json", headers={"cloudEvents:type": "wowz.job.started"}),
        routing_key="job.started.midjourney")
    job_id = new_id()
    await publisher.publish_many(lifecycle(job_id))

    await job_row(clean_db, job_id, status="completed")
    channel = await amqp.channel()
    dead_queue = await channel.get_queue(topology.DEAD_QUEUE)
    reasons = {}
    while (message := await dead_queue.get(no_ack=True, fail=False)) is not None:
        reasons[message.message_id] = message.headers[DEAD_REASON]
    await channel.close()
    assert reasons.keys() == {"junk-1", "bad-1"}
    assert reasons["junk-1"].startswith("undecodable: ")
    assert "account_id: Field required" in reasons["bad-1"]
    assert "attempt: Field required" in reasons["bad-1"]
    assert await eventually(lambda: _empty(amqp))


async def _empty(amqp) -> bool:
    return await ready(amqp, topology.PERSISTER_QUEUE) == 0


async def test_events_published_while_postgres_is_away_are_all_written_when_it_returns(
        start_persister, publisher, clean_db, proxied_pool, amqp):
    pool, proxy = proxied_pool
    await start_persister(pool)
    before = new_id()
    await publisher.publish_many(lifecycle(before))
    await job_row(clean_db, before, status="completed")

    await proxy.cut()
    during = [new_id() for _ in range(3)]
    await publisher.publish_many([e for job_id in during for e in lifecycle(job_id)])
    await asyncio.sleep(1.5)
    assert await ready(amqp, topology.PERSISTER_QUEUE) == 0  # all held by the persister
    assert await stored_events(clean_db, during) == 0

    await proxy.restore()
    for job_id in during:
        await job_row(clean_db, job_id, status="completed", timeout_s=10)
    assert await stored_events(clean_db, during) == 12


async def test_a_persister_stopped_while_postgres_is_away_leaves_its_events_on_the_queue(
        start_persister, publisher, clean_db, proxied_pool, amqp, monkeypatch):
    monkeypatch.setattr(service, "STOP_GRACE_S", 0.5)
    pool, proxy = proxied_pool
    persister = await start_persister(pool)
    await proxy.cut()
    job_ids = [new_id(), new_id()]
    await publisher.publish_many([e for job_id in job_ids for e in lifecycle(job_id)])
    await eventually(lambda: _empty(amqp))  # delivered to the persister, not written

    await persister.stop()

    async def requeued() -> bool:
        return await ready(amqp, topology.PERSISTER_QUEUE) == 8  # none was acked
    assert await eventually(requeued)
    await proxy.restore()
    await start_persister()
    for job_id in job_ids:
        await job_row(clean_db, job_id, status="completed")
    assert await stored_events(clean_db, job_ids) == 8
