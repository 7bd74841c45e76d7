"""Webhook deliveries: one row per attempt, and the job events they carried (for a replay).

A replay re-sends the original event to the notifier alone: `load_event(pool, delivery.event_id)`
then `publisher.send(NOTIFIER_QUEUE, event, headers={"x-wowz-replay": "1"})`; the notifier
then delivers it even though it was delivered before."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from schemas.events import EVENT_TYPES, Event

COLUMNS = ("id, job_id, event_id, event_type, url, attempt, status_code, error, duration_ms, "
           "next_attempt_at, delivered_at, exhausted, payload, created_at")


@dataclass(frozen=True)
class Delivery:
    id: str
    job_id: str
    event_id: str
    event_type: str
    url: str
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    exhausted: bool
    payload: dict[str, Any]
    created_at: datetime


async def record_attempt(pool: asyncpg.Pool, *, job_id: str, event_id: str, event_type: str,
                         url: str, attempt: int, status_code: int | None, error: str | None,
                         duration_ms: int | None, payload: dict[str, Any],
                         next_attempt_at: datetime | None, delivered: bool,
                         exhausted: bool) -> str:
    """Insert one attempt; returns its delivery id."""
    delivery_id = str(uuid.uuid4())
    await pool.execute(
        """insert into webhook_deliveries (id, job_id, event_id, event_type, url, attempt,
               status_code, error, duration_ms, next_attempt_at, delivered_at, exhausted, payload)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                   case when $11::boolean then now() end, $12, $13)""",
        delivery_id, job_id, event_id, event_type, url, attempt, status_code, error,
        duration_ms, next_attempt_at, delivered, exhausted, payload)
    return delivery_id


async def delivered(pool: asyncpg.Pool, *, event_id: str, url: str) -> bool:
    """Whether this event already reached this URL."""
    return await pool.fetchval(
        "select exists (select 1 from webhook_deliveries where event_id = $1 and url = $2 "
        "and delivered_at is not null)", event_id, url)


async def get_delivery(pool: asyncpg.Pool, delivery_id: str) -> Delivery | None:
    row = await pool.fetchrow(f"select {COLUMNS} from webhook_deliveries where id = $1",
                              delivery_id)
    return Delivery(**dict(row)) if row else None


async def list_deliveries(pool: asyncpg.Pool, *, job_id: str | None = None,
                          limit: int = 100) -> list[Delivery]:
    """Newest first."""
    rows = await pool.fetch(
        f"select {COLUMNS} from webhook_deliveries where $1::text is null or job_id = $1 "
        "order by created_at desc, attempt desc limit $2", job_id, limit)
    return [Delivery(**dict(r)) for r in rows]


async def load_event(pool: asyncpg.Pool, event_id: str) -> Event | None:
    """The event as the persister logged it in `job_events`, or None (not logged, or a type
    this version does not know)."""
    row = await pool.fetchrow("select id, job_id, type, data, time from job_events where id = $1",
                              event_id)
    model = EVENT_TYPES.get(row["type"]) if row else None
    if model is None:
        return None
    return Event(id=row["id"], type=row["type"], time=row["time"], subject=row["job_id"],
                 data=model.model_validate(row["data"]))
