"""Abuse: 1,000 malformed messages published straight to each service queue (garbage bytes, a
wrong content type, JSON of the wrong schema, bodies over the size limit). Every one ends in
`wowz.dead` with its reason and the queue it came from, and the services go on running valid
jobs meanwhile. Prints its figures (docs/reliability.md)."""

import asyncio
import collections
import json
import os
import time

import aio_pika
import pytest

from bus import topology
from bus.codec import MAX_BODY_BYTES
from bus.publisher import DEAD_QUEUE, DEAD_REASON
from consumers.notifier.service import Notifier
from consumers.persister.service import Persister
from consumers.providers.accounts import Account
from consumers.providers.service import ProviderService
from schemas.events import Event, JobRequested
from schemas.inputs import PROVIDERS
from schemas.jobs import JobOutput
from store.objects import LocalStore

pytestmark = pytest.mark.connected

PER_QUEUE = 1000
HUGE = 10  # of each queue's 1,000: bodies one byte over the limit (2 MiB each)
VALID_PER_PROVIDER = 20
VALID_INPUT = {"midjourney": ("imagine", {"prompt": "a teapot"}),
               "ideogram": ("upload", {"image_url": "https://example.com/a.png"}),
               "chatgpt": ("chat", {"prompt": "hello"})}
KINDS = ("garbage", "content type", "schema", "huge")


class Instant:
    """A provider account that does every job at once (the bus is under test, not a provider)."""

    async def check_health(self) -> None:
        return None

    async def run(self, ctx) -> JobOutput:
        return JobOutput(text="done")

    async def close(self) -> None:
        return None


def malformed(queue: str, n: int) -> tuple[str, aio_pika.Message]:
    kind = "huge" if n < HUGE else KINDS[n % 3]
    # every one with a message id (aio-pika would make one up), so it can be told apart
    ident = {"message_id": f"flood-{queue}-{n}", "type": "wowz.job.requested"}
    if kind == "garbage":
        return kind, aio_pika.Message(os.urandom(64), message_id=ident["message_id"])
    if kind == "content type":
        return kind, aio_pika.Message(b"<job><prompt>x</prompt></job>",
                                      content_type="application/xml", **ident)
    if kind == "schema":
        return kind, aio_pika.Message(json.dumps({"job_id": n, "provider": ["?"]}).encode(),
                                      content_type="application/json", **ident)
    return kind, aio_pika.Message(b'{"prompt": "' + b"a" * MAX_BODY_BYTES + b'"}', **ident)


def reason_kind(reason: str) -> str:
    if "content_type" in reason:
        return "content type"
    if "bytes, more than" in reason:
        return "huge"
    if "unknown event type" in reason:
        return "garbage"
    return "schema"


@pytest.fixture
async def services(pool, clean_bus, tmp_path):
    """The persister, the notifier and one consumer per provider, on the test's bus."""
    running = [Persister(pool, clean_bus), Notifier(pool, clean_bus, allow_private_urls=True)]
    objects = LocalStore(tmp_path, "http://127.0.0.1:1")
    running += [ProviderService(
        provider=p, accounts=[Account(id=f"flood-{p}", provider=p, concurrency=10)],
        adapter_factory=lambda account: Instant(), pool=pool, connection=clean_bus,
        objects=objects) for p in PROVIDERS]
    for service in running:
        await service.start()
    yield running
    for service in running:
        await service.stop()


async def test_a_flood_of_malformed_messages_is_dead_lettered_while_valid_jobs_run(
        services, clean_db, clean_bus, publisher):
    queues = list(topology.service_queues(PROVIDERS))
    flood = [(q, *malformed(q, n)) for n in range(PER_QUEUE) for q in queues]
    valid = [Event.of(JobRequested(job_id=f"flood-ok-{p}-{n}", provider=p, seq=0,
                                   action=VALID_INPUT[p][0], input=VALID_INPUT[p][1]))
             for n in range(VALID_PER_PROVIDER) for p in PROVIDERS]
    channel = await clean_bus.channel(publisher_confirms=True)
    started = time.monotonic()
    # Half the valid jobs published with the flood, half after it; pipelined (the confirms are
    # awaited together).
    await asyncio.gather(
        *(channel.default_exchange.publish(message, routing_key=queue)
          for queue, _, message in flood),
        *(publisher.publish(event) for event in valid[::2]))
    await asyncio.gather(*(publisher.publish(event) for event in valid[1::2]))
    published_s = time.monotonic() - started

    ids = [e.data.job_id for e in valid]
    dead = await channel.declare_queue(topology.DEAD_QUEUE, passive=True)
    letters, kinds, others = collections.Counter(), collections.Counter(), []
    unexplained = 0
    async with asyncio.timeout(60), dead.iterator() as messages:
        async for message in messages:
            await message.ack()
            headers = message.headers or {}
            reason = headers.get(DEAD_REASON)
            if not (message.message_id or "").startswith("flood-"):
                others.append(reason)  # an event of a valid job: must not happen
            elif not isinstance(reason, str) or not reason.startswith("undecodable: "):
                unexplained += 1
            else:
                letters[headers.get(DEAD_QUEUE)] += 1
                kinds[reason_kind(reason)] += 1
            if sum(letters.values()) + unexplained >= len(flood):
                break
    dead_lettered_s = time.monotonic() - started

    async def completed() -> int:
        return await clean_db.fetchval(
            "select count(*) from jobs where id = any($1::text[]) and status = 'completed'", ids)
    while await completed() < len(ids) and time.monotonic() - started < 60:
        await asyncio.sleep(0.1)
    valid_done_s = time.monotonic() - started
    done = await completed()
    await channel.close()
    figures = {"malformed per queue": dict(letters), "by kind": dict(kinds),
               "without a reason": unexplained, "valid jobs' events dead-lettered": others,
               "published in s": round(published_s, 2),
               "all dead-lettered after s": round(dead_lettered_s, 2),
               "valid jobs completed": f"{done} of {len(ids)}",
               "valid jobs all completed after s": round(valid_done_s, 2)}
    print("\nABUSE malformed-flood", json.dumps(figures))
    assert letters == {q: PER_QUEUE for q in queues}
    assert unexplained == 0
    assert kinds["huge"] == HUGE * len(queues)
    assert done == len(ids)
    assert others == []
