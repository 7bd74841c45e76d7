"""Provider accounts' state (health, load, jobs today), written by the provider services and
read by whoever shows it (e.g. `GET /v1/accounts`)."""

from datetime import datetime
from typing import Any

import asyncpg


async def save_account(pool: asyncpg.Pool, view: dict[str, Any]) -> None:
    """Upsert one account's state; `view` is what `AccountState.view()` returns."""
    await pool.execute(
        """insert into accounts (id, provider, healthy, reason, since, running, jobs_today,
                                 concurrency, mode, enabled, daily_cap, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
           on conflict (id) do update set provider = excluded.provider,
             healthy = excluded.healthy, reason = excluded.reason, since = excluded.since,
             running = excluded.running, jobs_today = excluded.jobs_today,
             concurrency = excluded.concurrency, mode = excluded.mode,
             enabled = excluded.enabled, daily_cap = excluded.daily_cap, updated_at = now()""",
        view["id"], view["provider"], view["healthy"], view["reason"],
        datetime.fromisoformat(view["since"]), view["running"], view["jobs_today"],
        view["concurrency"], view["mode"], view["enabled"], view.get("daily_cap"))


async def list_accounts(pool: asyncpg.Pool, *, provider: str | None = None) -> list[dict]:
    rows = await pool.fetch(
        "select id, provider, healthy, reason, since, running, jobs_today, concurrency, mode, "
        "enabled, daily_cap, updated_at from accounts "
        "where $1::text is null or provider = $1 order by provider, id", provider)
    return [dict(row) for row in rows]
