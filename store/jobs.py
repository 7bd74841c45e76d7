"""Job rows: created by the ingress (with the outbox flag), read by the API, claimed by providers."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from pydantic_core import to_json

from schemas.jobs import Job, JobRequest, JobStatus

COLUMNS = ("id, status, provider, action, input, output, error, progress, account_id, "
           "provider_job_id, webhook, metadata, idempotency_key, timeout_s, seq, created_at, "
           "updated_at, started_at, finished_at")


def new_job_id() -> str:
    return str(uuid.uuid4())


def to_job(row: asyncpg.Record) -> Job:
    return Job.model_validate(dict(row))


async def create_job(pool: asyncpg.Pool, *, request: JobRequest, api_key_id: str | None,
                     idempotency_key: str | None) -> tuple[Job, bool]:
    """Insert a pending, not yet published job. Returns (job, created); with an idempotency
    key already used by this API key, the existing job and False."""
    row = await pool.fetchrow(
        f"""insert into jobs (id, provider, action, input, webhook, metadata, idempotency_key,
                              api_key_id, timeout_s)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            on conflict do nothing returning {COLUMNS}""",
        new_job_id(), request.provider, request.action, request.input,
        request.webhook.model_dump(mode="json") if request.webhook else None,
        request.metadata, idempotency_key, api_key_id, request.timeout_s)
    if row is not None:
        return to_job(row), True
    row = await pool.fetchrow(
        f"select {COLUMNS} from jobs where coalesce(api_key_id, '') = coalesce($1, '') "
        "and idempotency_key = $2", api_key_id, idempotency_key)
    return to_job(row), False


@dataclass
class NewJob:
    request: JobRequest
    api_key_id: str | None
    idempotency_key: str | None
    own_token: bool = False  # the client sent its own provider token (never stored itself)


async def create_jobs(pool: asyncpg.Pool, new: list[NewJob]) -> list[tuple[Job, bool]]:
    """create_job for many jobs in one INSERT (the ingress groups concurrent requests), in
    the order of `new`. An idempotency key used before, or earlier in `new`, gives the job it
    created and False."""
    ids = [new_job_id() for _ in new]
    rows = await pool.fetch(
        """insert into jobs (id, provider, action, input, webhook, metadata, idempotency_key,
                              api_key_id, timeout_s, own_token)
            select id, provider, action, input::jsonb, webhook::jsonb, metadata::jsonb,
                   idempotency_key, api_key_id, timeout_s, own_token
              from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                          $6::text[], $7::text[], $8::text[], $9::int[], $10::bool[])
                   as n(id, provider, action, input, webhook, metadata, idempotency_key,
                        api_key_id, timeout_s, own_token)
            on conflict do nothing returning id, created_at""",
        ids, [n.request.provider for n in new], [n.request.action for n in new],
        [to_json(n.request.input).decode() for n in new],
        [n.request.webhook.model_dump_json() if n.request.webhook else None for n in new],
        [to_json(n.request.metadata).decode() for n in new], [n.idempotency_key for n in new],
        [n.api_key_id for n in new], [n.request.timeout_s for n in new],
        [n.own_token for n in new])
    asked = dict(zip(ids, new))
    created = {r["id"]: _written(r["id"], r["created_at"], asked[r["id"]]) for r in rows}
    taken = [(n.api_key_id or "", n.idempotency_key) for i, n in zip(ids, new)
             if i not in created]
    existing = {}
    if taken:
        rows = await pool.fetch(
            f"""select {COLUMNS}, coalesce(api_key_id, '') as owner from jobs
                 where (coalesce(api_key_id, ''), idempotency_key) in (
                       select * from unnest($1::text[], $2::text[]))""", *zip(*taken))
        existing = {(r["owner"], r["idempotency_key"]): to_job(r) for r in rows}
    return [(created[i], True) if i in created
            else (existing[(n.api_key_id or "", n.idempotency_key)], False)
            for i, n in zip(ids, new)]


def _written(job_id: str, created_at: datetime, new: NewJob) -> Job:
    """The job as its INSERT wrote it (the request, the columns' defaults), rather than read
    back: decoding the row's jsonb and validating it again cost the ingress CPU per job."""
    request = new.request
    return Job(
        id=job_id, status=JobStatus.pending, provider=request.provider, action=request.action,
        input=request.input, webhook=request.webhook, metadata=request.metadata,
        idempotency_key=new.idempotency_key, timeout_s=request.timeout_s,
        created_at=created_at, updated_at=created_at)


async def get_job(pool: asyncpg.Pool, job_id: str) -> Job | None:
    row = await pool.fetchrow(f"select {COLUMNS} from jobs where id = $1", job_id)
    return to_job(row) if row else None


async def get_job_row(pool: asyncpg.Pool, job_id: str) -> asyncpg.Record | None:
    """The row with the columns the API does not show (api key, outbox flag)."""
    return await pool.fetchrow("select * from jobs where id = $1", job_id)


@dataclass
class Page:
    jobs: list[Job]
    next_cursor: str | None


async def list_jobs(pool: asyncpg.Pool, *, status: str | None = None,
                    provider: str | None = None, metadata: dict[str, Any] | None = None,
                    api_key_id: str | None = None, account_id: str | None = None,
                    cursor: str | None = None, limit: int = 50) -> Page:
    """Newest first; the cursor is `<created_at iso>|<id>` of the last job of the page."""
    where, args = ["true"], []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if status:
        where.append(f"status = {arg(status)}")
    if provider:
        where.append(f"provider = {arg(provider)}")
    if metadata:
        where.append(f"metadata @> {arg(metadata)}::jsonb")
    if api_key_id:
        where.append(f"api_key_id = {arg(api_key_id)}")
    if account_id:
        where.append(f"account_id = {arg(account_id)}")
    if cursor:
        created, _, last_id = cursor.partition("|")
        where.append(f"(created_at, id) < ({arg(datetime.fromisoformat(created))}, {arg(last_id)})")
    rows = await pool.fetch(
        f"select {COLUMNS} from jobs where {' and '.join(where)} "
        f"order by created_at desc, id desc limit {arg(limit + 1)}", *args)
    jobs = [to_job(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page(jobs, f"{jobs[-1].created_at.isoformat()}|{jobs[-1].id}" if more else None)


async def mark_published(pool: asyncpg.Pool, job_ids: list[str]) -> None:
    # Rows locked in id order, as the persister locks them: two writers cannot deadlock.
    await pool.execute("""update jobs set published_at = now() where id in (
                            select id from jobs where id = any($1::text[])
                            and published_at is null order by id for update)""", job_ids)


async def unpublished(conn: asyncpg.Connection, *, older_than_s: float,
                      limit: int = 100) -> list[asyncpg.Record]:
    """Jobs accepted but never confirmed on the bus (the process died in between); locked for
    the caller's transaction so two relays do not both take them."""
    return await conn.fetch(
        "select * from jobs where published_at is null "
        "and created_at < now() - make_interval(secs => $1) "
        "order by created_at limit $2 for update skip locked", older_than_s, limit)


async def request_cancel(pool: asyncpg.Pool, job_id: str) -> None:
    await pool.execute(
        """insert into job_runs (job_id, cancel_requested_at) values ($1, now())
           on conflict (job_id) do update set cancel_requested_at = coalesce(
             job_runs.cancel_requested_at, now())""", job_id)


async def job_events(pool: asyncpg.Pool, job_id: str) -> list[asyncpg.Record]:
    """The job's logged events (id, type, seq, data, time), in seq order."""
    return await pool.fetch("select id, type, seq, data, time from job_events "
                            "where job_id = $1 order by seq, time", job_id)
