"""A provider's claim on a job, so that a redelivered job resumes instead of starting again."""

from dataclasses import dataclass

import asyncpg


@dataclass
class Run:
    job_id: str
    attempt: int
    account_id: str
    provider_job_id: str | None
    cancel_requested: bool


async def claim(pool: asyncpg.Pool, *, job_id: str, account_id: str,
                reachable: list[str] | None = None) -> Run:
    """Count one more attempt on the job and return what earlier attempts left. A provider job
    already submitted is resumed on the account that owns it (only that account can see it)
    when it is among `reachable` (healthy accounts of this process; `account_id` by default);
    otherwise it is forgotten and the job runs afresh on `account_id`."""
    row = await pool.fetchrow(
        """insert into job_runs (job_id, account_id, attempt, claimed_at) values ($1, $2, 1, now())
           on conflict (job_id) do update set attempt = job_runs.attempt + 1, claimed_at = now(),
             provider_job_id = case when job_runs.account_id = any($3::text[])
                                    then job_runs.provider_job_id end,
             account_id = case when job_runs.provider_job_id is not null
                                    and job_runs.account_id = any($3::text[])
                               then job_runs.account_id else excluded.account_id end
           returning attempt, account_id, provider_job_id, cancel_requested_at""",
        job_id, account_id, reachable or [account_id])
    return Run(job_id, row["attempt"], row["account_id"], row["provider_job_id"],
               row["cancel_requested_at"] is not None)


async def set_provider_job_id(pool: asyncpg.Pool, *, job_id: str, provider_job_id: str) -> None:
    await pool.execute("update job_runs set provider_job_id = $2 where job_id = $1",
                       job_id, provider_job_id)


async def cancel_requested(pool: asyncpg.Pool, job_id: str) -> bool:
    return bool(await pool.fetchval(
        "select cancel_requested_at is not null from job_runs where job_id = $1", job_id))


async def claimed(pool: asyncpg.Pool, job_id: str) -> bool:
    """Some attempt took the job and it has not finished."""
    return bool(await pool.fetchval(
        "select attempt > 0 and finished_at is null from job_runs where job_id = $1", job_id))


async def finish(pool: asyncpg.Pool, job_id: str) -> None:
    await pool.execute("update job_runs set finished_at = now() where job_id = $1", job_id)


async def finished(pool: asyncpg.Pool, job_id: str) -> bool:
    return bool(await pool.fetchval(
        "select finished_at is not null from job_runs where job_id = $1", job_id))
