"""A provider's claim on a job, so that a redelivered job resumes instead of starting again."""

from dataclasses import dataclass

import asyncpg


@dataclass
class Run:
    job_id: str
    attempt: int
    provider_job_id: str | None
    cancel_requested: bool


async def claim(pool: asyncpg.Pool, *, job_id: str, account_id: str) -> Run:
    """Count one more attempt on the job and return what earlier attempts left. The provider's
    job id is kept only for the same account: another account cannot see that job."""
    row = await pool.fetchrow(
        """insert into job_runs (job_id, account_id, attempt, claimed_at) values ($1, $2, 1, now())
           on conflict (job_id) do update set attempt = job_runs.attempt + 1,
             provider_job_id = case when job_runs.account_id = excluded.account_id
                                    then job_runs.provider_job_id end,
             account_id = excluded.account_id, claimed_at = now()
           returning attempt, provider_job_id, cancel_requested_at""", job_id, account_id)
    return Run(job_id, row["attempt"], row["provider_job_id"],
               row["cancel_requested_at"] is not None)


async def set_provider_job_id(pool: asyncpg.Pool, *, job_id: str, provider_job_id: str) -> None:
    await pool.execute("update job_runs set provider_job_id = $2 where job_id = $1",
                       job_id, provider_job_id)


async def cancel_requested(pool: asyncpg.Pool, job_id: str) -> bool:
    return bool(await pool.fetchval(
        "select cancel_requested_at is not null from job_runs where job_id = $1", job_id))


async def finish(pool: asyncpg.Pool, job_id: str) -> None:
    await pool.execute("update job_runs set finished_at = now() where job_id = $1", job_id)


async def finished(pool: asyncpg.Pool, job_id: str) -> bool:
    return bool(await pool.fetchval(
        "select finished_at is not null from job_runs where job_id = $1", job_id))
