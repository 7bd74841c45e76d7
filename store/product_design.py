"""The apps' `product_design` rows, kept current from the jobs whose metadata names one
(`design_id`, else `idea_id`), as the seed wrote them: `job_id`, `job_status`, `error_message`,
`job_created_at`, `job_updated_at`, and each finished job's image URLs appended to
`generated_designs_url` (Midjourney) or `remixed_designs_url` (Ideogram)."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

URL_COLUMNS = {"midjourney": "generated_designs_url", "ideogram": "remixed_designs_url"}
JOB_COLUMNS = ("job_id", "job_status", "error_message", "job_created_at")


@dataclass
class DesignChange:
    design_id: str
    job_id: str
    provider: str
    status: str
    created_at: datetime
    error_message: str | None = None
    takes_over: bool = False  # a newly requested job: the row follows it from now on
    urls: list[str] = field(default_factory=list)
    user_id: str | None = None
    prompt: str | None = None


def as_uuid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def design_id(metadata: dict[str, Any]) -> str | None:
    """The row's id. The column is a uuid, so any other value names no row: it is skipped here
    rather than cast in SQL, where it would fail the whole batch."""
    return as_uuid(metadata.get("design_id") or metadata.get("idea_id"))


def url_list(value: Any) -> list[Any]:
    """A URL column as a list; the seed also stored a JSON string holding the array."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value else []
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


async def sync(conn: asyncpg.Connection, changes: list[DesignChange]) -> None:
    """Apply the changes in order, inside the caller's transaction."""
    if not changes:
        return
    await conn.execute(
        """insert into product_design (id, user_id, prompt, job_id, job_status, error_message,
                                       job_created_at, job_updated_at)
           select id, user_id, prompt, job_id, job_status, error_message, job_created_at, now()
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::timestamptz[])
                  as c(id, user_id, prompt, job_id, job_status, error_message, job_created_at)
           on conflict do nothing""",
        *zip(*[(c.design_id, c.user_id, c.prompt, c.job_id, c.status, c.error_message,
                c.created_at) for c in changes]))
    rows = {str(r["id"]): dict(r) for r in await conn.fetch(
        f"""select id, {', '.join(JOB_COLUMNS)}, {', '.join(URL_COLUMNS.values())}
              from product_design where id = any($1::uuid[]) order by id for update""",
        list({c.design_id for c in changes}))}
    dirty: dict[str, dict[str, Any]] = {}
    for change in changes:
        row = rows.get(change.design_id)
        if row is None:
            continue  # not inserted: another row already holds this job id
        if _apply(row, change):
            dirty[change.design_id] = row
    if not dirty:
        return
    await conn.execute(
        f"""update product_design p set job_id = c.job_id, job_status = c.job_status,
                   error_message = c.error_message, job_created_at = c.job_created_at,
                   job_updated_at = now(),
                   {', '.join(f'{col} = c.{col}::jsonb' for col in URL_COLUMNS.values())}
              from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                          $6::text[], $7::text[])
                   as c(id, {', '.join(JOB_COLUMNS)}, {', '.join(URL_COLUMNS.values())})
             where p.id = c.id""",
        *zip(*[(design, *(row[col] for col in JOB_COLUMNS),
                *(_json(row[col]) for col in URL_COLUMNS.values()))
               for design, row in dirty.items()]))


def _apply(row: dict[str, Any], change: DesignChange) -> bool:
    """Fold one job's change into the row; returns whether anything is to be written. The job
    fields follow the job that last took the row over; URLs are kept from every job."""
    dirty = False
    if change.takes_over or row["job_id"] in (None, change.job_id):
        row.update(job_id=change.job_id, job_status=change.status,
                   error_message=change.error_message, job_created_at=change.created_at)
        dirty = True
    column = URL_COLUMNS.get(change.provider)
    if column and change.urls:
        urls = url_list(row[column])
        row[column] = urls + [u for u in dict.fromkeys(change.urls) if u not in urls]
        dirty = True
    return dirty


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
