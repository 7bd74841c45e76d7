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


# `enabled`: may take jobs, as far as the accounts file and the operators say; `configured`:
# what the accounts file says (an account disabled there is enabled only there).
COLUMNS = ("id, provider, healthy, reason, since, running, jobs_today, concurrency, mode, "
           "enabled and disabled_at is null as enabled, enabled as configured, disabled_at, "
           "disabled_by, daily_cap, updated_at")


async def list_accounts(pool: asyncpg.Pool, *, provider: str | None = None) -> list[dict]:
    rows = await pool.fetch(
        f"select {COLUMNS} from accounts "
        "where $1::text is null or provider = $1 order by provider, id", provider)
    return [dict(row) for row in rows]


async def switch(pool: asyncpg.Pool, account_id: str, *, enabled: bool,
                 by: str | None = None) -> dict | None:
    """An operator's enable or disable; the account as listed after it, None if no provider
    service ever reported it. Disabling again keeps the first time and operator."""
    row = await pool.fetchrow(
        "update accounts set disabled_at = case when $2 then null "
        "                                   else coalesce(disabled_at, now()) end, "
        "  disabled_by = case when $2 then null else coalesce(disabled_by, $3) end "
        f"where id = $1 returning {COLUMNS}", account_id, enabled, by)
    return None if row is None else dict(row)


async def kept(pool: asyncpg.Pool, account_id: str) -> tuple[bool, int]:
    """What outlives a restart of the account's service: whether an operator disabled it, and
    how many jobs it took today (UTC), which its daily cap counts."""
    row = await pool.fetchrow(
        "select disabled_at is not null as disabled, case when "
        "  (updated_at at time zone 'UTC')::date = (now() at time zone 'UTC')::date "
        "  then jobs_today else 0 end as jobs_today from accounts where id = $1", account_id)
    return (row["disabled"], row["jobs_today"]) if row else (False, 0)
