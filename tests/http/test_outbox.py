"""A job accepted by a process that died before publishing it is still published."""

import asyncio
import uuid

import pytest

from schemas.events import JobRequested
from store.keys import create_key

pytestmark = pytest.mark.connected


async def insert_unpublished(pool, *, age_s: float, api_key_id: str) -> str:
    job_id = str(uuid.uuid4())
    await pool.execute(
        """insert into jobs (id, provider, action, input, metadata, api_key_id, created_at)
           values ($1, 'midjourney', 'imagine', $2, $3, $4,
                   now() - make_interval(secs => $5))""",
        job_id, {"prompt": "a stranded cat"}, {"idea_id": "i-9"}, api_key_id, age_s)
    return job_id


async def test_a_job_stranded_before_publishing_is_published_by_the_relay(
        serve, clean_db, tap):
    key = await create_key(clean_db, name="client")
    stranded = await insert_unpublished(clean_db, age_s=60, api_key_id=key.key.id)
    in_flight = await insert_unpublished(clean_db, age_s=0, api_key_id=key.key.id)

    await serve(outbox_interval_s=0.2)

    [(routing_key, event)] = await tap.take(1)
    assert routing_key == "job.requested.midjourney"
    assert event.type == JobRequested.type and event.data.job_id == stranded
    assert event.data.input == {"prompt": "a stranded cat"}
    assert event.data.metadata == {"idea_id": "i-9"} and event.data.requested_by == key.key.id
    # Marked in the relay's transaction, which commits once the broker confirmed: a moment
    # after the message can be read.
    async with asyncio.timeout(5):
        while await clean_db.fetchval(
                "select published_at from jobs where id = $1", stranded) is None:
            await asyncio.sleep(0.02)
    # A job younger than the grace period belongs to a request still publishing it.
    await asyncio.sleep(0.5)
    assert await clean_db.fetchval(
        "select published_at from jobs where id = $1", in_flight) is None
    assert await tap.take(1, timeout_s=0.1) == []
