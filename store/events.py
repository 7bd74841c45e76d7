"""Writing a batch of job events: the append-only `job_events` log, then the `jobs` rows they
move forward, then the apps' `product_design` rows, all inside the caller's transaction.

A job never moves backwards: status, progress, output and error change only for an event whose
seq is above the row's and while the job is not terminal. Fields that are facts whatever the
order (start time; account and provider job id when no later event named them) only fill
blanks. Each statement kind is one round trip for the whole batch."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg

from schemas.events import Event, JobCompleted, JobFailed, JobProgress, JobRequested, JobStarted
from schemas.jobs import TERMINAL
from store import product_design

FAILED_STATUS = {"cancelled": "cancelled", "timeout": "timeout"}  # error code -> job status
FOLDED = ("status", "progress", "output", "error", "account_id", "provider_job_id",
          "started_at", "finished_at", "seq")


class Stored(NamedTuple):
    """A job event as the log keeps it: fresh from the bus or read back from `job_events`."""

    id: str
    job_id: str
    type: str
    seq: int
    data: dict[str, Any]
    time: datetime


@dataclass
class Change:
    job_id: str
    provider: str
    previous: str
    status: str


@dataclass
class Written:
    new: int = 0  # events not seen before; the others were redeliveries
    changes: list[Change] = field(default_factory=list)


def effect(event: Stored) -> tuple[dict[str, Any], dict[str, Any]]:
    """(columns set when the event moves the job forward, columns it fills when blank).
    The account and the provider's job id move forward too: a job handed to another account
    (resumed, retried) shows the account and provider job that actually ran it."""
    data, time = event.data, event.time
    ran = {k: data[k] for k in ("account_id", "provider_job_id") if data.get(k) is not None}
    match event.type:
        case JobStarted.type:
            return {"status": "processing", **ran}, {**ran, "started_at": time}
        case JobProgress.type:
            return {"status": "processing", "progress": data["percent"], **ran}, ran
        case JobCompleted.type:
            return ({"status": "completed", "progress": 100, "output": data["output"],
                     "finished_at": time, **ran}, ran)
        case JobFailed.type:
            status = FAILED_STATUS.get(data["error"]["code"], "failed")
            return {"status": status, "error": data["error"], "finished_at": time, **ran}, ran
    return {}, {}  # requested creates the row; cancel is a request, the job ends with failed


def apply(row: dict[str, Any], event: Stored) -> None:
    """Fold one event into a job row (a dict of FOLDED columns); events go in seq order."""
    forward, fill = effect(event)
    if event.seq > row["seq"] and row["status"] not in TERMINAL:
        row.update(forward)
    for column, value in fill.items():
        if row[column] is None:
            row[column] = value
    row["seq"] = max(row["seq"], event.seq)


def stored(event: Event) -> Stored:
    data = event.data
    return Stored(event.id, data.job_id, event.type, data.seq, data.model_dump(mode="json"),
                  event.time)


async def write_batch(conn: asyncpg.Connection, events: list[Event]) -> Written:
    """Apply job events; a redelivered event (same id) changes nothing."""
    batch = list({e.id: stored(e) for e in events}.values())
    if not batch:
        return Written()
    new_ids = {r["id"] for r in await conn.fetch(
        """insert into job_events (id, job_id, type, seq, data, time)
           select id, job_id, type, seq, data::jsonb, time
             from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                         $6::timestamptz[]) as e(id, job_id, type, seq, data, time)
           on conflict (id) do nothing returning id""",
        *zip(*[(e.id, e.job_id, e.type, e.seq, json.dumps(e.data), e.time) for e in batch]))}
    new = [e for e in batch if e.id in new_ids]
    requested = [e for e in new if e.type == JobRequested.type]
    created = await _create_jobs(conn, requested)
    # A job created just now gets every event of its own that came before it (from the log,
    # which includes this batch's); the others get this batch's new events.
    to_apply = [e for e in new if e.type != JobRequested.type and e.job_id not in created]
    to_apply += await _logged_events(conn, created)
    rows = await _lock_jobs(conn, {e.job_id for e in to_apply} | {e.job_id for e in requested})
    before = {job_id: {c: row[c] for c in FOLDED} for job_id, row in rows.items()}
    for event in sorted(to_apply, key=lambda e: (e.job_id, e.seq)):
        if event.job_id in rows:
            apply(rows[event.job_id], event)
    changed = [row for job_id, row in rows.items()
               if any(row[c] != before[job_id][c] for c in FOLDED)]
    await _update_jobs(conn, changed)
    await product_design.sync(conn, _design_changes(
        rows, before, changed, {e.job_id for e in requested}))
    return Written(len(new), [Change(r["id"], r["provider"], before[r["id"]]["status"],
                                     r["status"]) for r in changed
                              if r["status"] != before[r["id"]]["status"]])


async def _create_jobs(conn: asyncpg.Connection, requested: list[Stored]) -> set[str]:
    """The rows of jobs published straight on the bus; a job the ingress inserted is kept.
    No conflict target: a reused idempotency key must not fail the batch forever."""
    if not requested:
        return set()
    rows = await conn.fetch(
        """insert into jobs (id, provider, action, input, webhook, metadata, idempotency_key,
                             api_key_id, timeout_s, created_at, published_at)
           select id, provider, action, input::jsonb, webhook::jsonb, metadata::jsonb,
                  idempotency_key, api_key_id, timeout_s, created_at, now()
             from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::text[], $8::text[], $9::int[], $10::timestamptz[])
                  as r(id, provider, action, input, webhook, metadata, idempotency_key,
                       api_key_id, timeout_s, created_at)
           on conflict do nothing returning id""",
        *zip(*[(e.job_id, e.data["provider"], e.data["action"], json.dumps(e.data["input"]),
                _json(e.data.get("webhook")), json.dumps(e.data.get("metadata") or {}),
                e.data.get("idempotency_key"), e.data.get("requested_by"),
                e.data.get("timeout_s", 600), e.time) for e in requested]))
    return {r["id"] for r in rows}


async def _logged_events(conn: asyncpg.Connection, job_ids: set[str]) -> list[Stored]:
    if not job_ids:
        return []
    rows = await conn.fetch(
        "select id, job_id, type, seq, data, time from job_events "
        "where job_id = any($1::text[]) and type <> $2", list(job_ids), JobRequested.type)
    return [Stored(**dict(r)) for r in rows]


async def _lock_jobs(conn: asyncpg.Connection, job_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The rows these events touch, locked (in id order, so two writers cannot deadlock)."""
    if not job_ids:
        return {}
    rows = await conn.fetch(
        f"""select id, provider, metadata, created_at, input->>'prompt' as prompt,
                   {', '.join(FOLDED)}
              from jobs where id = any($1::text[]) order by id for update""", list(job_ids))
    return {r["id"]: dict(r) for r in rows}


async def _update_jobs(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    await conn.execute(
        """update jobs j set status = u.status, progress = u.progress, output = u.output::jsonb,
                  error = u.error::jsonb, account_id = u.account_id,
                  provider_job_id = u.provider_job_id, started_at = u.started_at,
                  finished_at = u.finished_at, seq = u.seq, updated_at = now()
             from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[],
                         $7::text[], $8::timestamptz[], $9::timestamptz[], $10::bigint[])
                  as u(id, status, progress, output, error, account_id, provider_job_id,
                       started_at, finished_at, seq)
            where j.id = u.id""",
        *zip(*[(r["id"], r["status"], r["progress"], _json(r["output"]), _json(r["error"]),
                r["account_id"], r["provider_job_id"], r["started_at"], r["finished_at"],
                r["seq"]) for r in rows]))


def _design_changes(rows: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]],
                    changed: list[dict[str, Any]],
                    requested: set[str]) -> list[product_design.DesignChange]:
    """One change per job with a design that was requested (first, so that it takes the row
    over) or moved in this batch."""
    changed_ids = {r["id"] for r in changed}
    out = []
    for job_id in sorted(requested & rows.keys()) + sorted(changed_ids - requested):
        row = rows[job_id]
        design_id = product_design.design_id(row["metadata"])
        if design_id is None:
            continue
        completed_now = row["status"] == "completed" and before[job_id]["status"] != "completed"
        out.append(product_design.DesignChange(
            design_id=design_id, job_id=job_id, provider=row["provider"], status=row["status"],
            created_at=row["created_at"], error_message=(row["error"] or {}).get("message"),
            takes_over=job_id in requested,
            urls=[i["url"] for i in (row["output"] or {}).get("images", [])] if completed_now
            else [],
            user_id=product_design.as_uuid(row["metadata"].get("user_id")),
            prompt=row["prompt"]))
    return out


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
