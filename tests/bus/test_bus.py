"""The bus: confirmed persistent publishing, explicit outcomes, dead letters with the reason,
delays without a sleeping handler."""

import asyncio
import time

import aio_pika
import pytest

from bus import topology
from bus.consumer import Reject, Retry, consume
from bus.publisher import ATTEMPT, DEAD_REASON, Publisher
from schemas.events import Event, JobRequested

pytestmark = pytest.mark.connected

QUEUE = topology.provider_queue("midjourney")


def requested(job_id: str) -> Event:
    return Event.of(JobRequested(job_id=job_id, provider="midjourney", seq=0, action="imagine",
                                 input={"prompt": "x"}))


async def dead_letters(channel, count: int, timeout: float = 10.0, *,
                       holding: bytes = b"") -> list:
    """`count` dead letters whose body holds `holding` (others, e.g. of earlier tests' delayed
    retries arriving late, are skipped)."""
    queue = await channel.get_queue(topology.DEAD_QUEUE)
    found, deadline = [], time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        message = await queue.get(fail=False)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        await message.ack()
        if holding in message.body:
            found.append(message)
    return found


async def test_garbage_is_dead_lettered_with_the_reason_and_the_consumer_goes_on(clean_bus):
    publisher = await Publisher.open(clean_bus)
    channel = await clean_bus.channel()
    handled = []

    async def handler(event, message):
        handled.append(event.data.job_id)

    await consume(channel, QUEUE, handler, publisher=publisher, prefetch=10)
    default = channel.default_exchange
    await default.publish(aio_pika.Message(b"\x00garbage"), routing_key=QUEUE)
    await default.publish(aio_pika.Message(b'{"job_id": 1}', type="wowz.job.requested",
                                           message_id="m-2"), routing_key=QUEUE)
    await publisher.publish(requested("good-1"))
    dead = await dead_letters(channel, 2)
    reasons = sorted(m.headers[DEAD_REASON] for m in dead)
    assert len(dead) == 2
    assert "undecodable" in reasons[0] and "undecodable" in reasons[1]
    assert any("provider: Field required" in r for r in reasons)
    assert all(m.headers["x-wowz-dead-queue"] == QUEUE for m in dead)
    for _ in range(100):
        if handled:
            break
        await asyncio.sleep(0.05)
    assert handled == ["good-1"]
    await channel.close()
    await publisher.close()


async def test_a_rejected_message_keeps_why_and_a_retried_one_comes_back_later(clean_bus):
    publisher = await Publisher.open(clean_bus)
    channel = await clean_bus.channel()
    seen: list[tuple[str, int, float]] = []

    async def handler(event, message):
        attempt = int((message.headers or {}).get(ATTEMPT, 0))
        seen.append((event.data.job_id, attempt, time.monotonic()))
        if event.data.job_id == "bad":
            raise Reject("the input names no prompt")
        if attempt == 0:
            raise Retry(1.0, "try again")

    await consume(channel, QUEUE, handler, publisher=publisher, prefetch=10)
    await publisher.publish(requested("bad"))
    await publisher.publish(requested("later"))
    [dead] = await dead_letters(channel, 1)
    assert dead.headers[DEAD_REASON] == "the input names no prompt"
    for _ in range(100):
        if len([s for s in seen if s[0] == "later"]) == 2:
            break
        await asyncio.sleep(0.05)
    later = [s for s in seen if s[0] == "later"]
    assert [a for _, a, _ in later] == [0, 1]
    assert later[1][2] - later[0][2] >= 0.9
    await channel.close()
    await publisher.close()


async def test_a_handler_that_keeps_failing_is_retried_later_then_dead_lettered(clean_bus):
    publisher = await Publisher.open(clean_bus)
    channel = await clean_bus.channel()
    tries = []

    async def handler(event, message):
        if event.data.job_id == "doomed":  # not an earlier test's delayed retry
            tries.append(time.monotonic())
        raise RuntimeError("database away")

    await consume(channel, QUEUE, handler, publisher=publisher, prefetch=10,
                  unexpected_delays_s=(1, 1))
    await publisher.publish(requested("doomed"))
    [dead] = await dead_letters(channel, 1, timeout=15, holding=b'"doomed"')
    assert dead.headers[DEAD_REASON] == "failed 3 times; last: RuntimeError: database away"
    assert len(tries) == 3 and tries[1] - tries[0] >= 0.9
    await channel.close()
    await publisher.close()


async def test_a_publisher_whose_channel_was_lost_while_the_connection_is_up_opens_another(
        clean_bus):
    """As after a broker restart whose channel restore failed: publishing goes on."""
    publisher = await Publisher.open(clean_bus, outage_wait_s=0)
    lost = publisher.channel
    await lost.close()
    await publisher.publish_many([requested("after-the-loss"), requested("also-after")])
    channel = await clean_bus.channel()
    queue = await channel.get_queue(QUEUE)
    found, deadline = None, time.monotonic() + 5
    while found is None and time.monotonic() < deadline:  # past other tests' delayed retries
        message = await queue.get(fail=False)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        await message.ack()
        found = message if b"after-the-loss" in message.body else None
    assert publisher.channel is not lost and not publisher.channel.is_closed
    assert found is not None
    await channel.close()
    await publisher.close()
