"""What every fault test measures of its jobs: all ended and called back, each exactly once,
and submitted to the provider once."""

import asyncio
import collections
import json
import time

import httpx

TERMINAL = "('completed','failed','timeout','cancelled')"


async def settled(pool, ids: list[str], receiver, limit_s: float = 240) -> None:
    """Until every job of `ids` is terminal in its row and its webhook came, or `limit_s`."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        ended = await pool.fetchval("select count(*) from jobs where id = any($1::text[]) "
                                    f"and status in {TERMINAL}", ids)
        hooked = {json.loads(r["body"])["data"]["job_id"] for r in receiver.requests}
        if ended == len(ids) and hooked >= set(ids):
            return
        await asyncio.sleep(0.5)


async def outcome(pool, ids: list[str], receiver, midjourney_url: str) -> dict:
    """The figures every fault test reports of its jobs."""
    statuses = collections.Counter(r["status"] for r in await pool.fetch(
        "select status from jobs where id = any($1::text[])", ids))
    terminal = collections.Counter(r["job_id"] for r in await pool.fetch(
        "select job_id from job_events where job_id = any($1::text[]) and type in "
        "('wowz.job.completed', 'wowz.job.failed')", ids))
    hooks = collections.defaultdict(list)
    for r in receiver.requests:
        hooks[json.loads(r["body"])["data"]["job_id"]].append(r["headers"]["webhook-id"])
    async with httpx.AsyncClient(base_url=midjourney_url) as control:
        submissions = (await control.get("/_sandbox/stats")).json()["submissions"]
    return {"jobs": len(ids), "statuses": dict(statuses),
            "duplicated terminal events": sum(1 for n in terminal.values() if n > 1),
            "jobs without a webhook": len(ids) - len(hooks),
            "jobs with more than one webhook id": sum(
                1 for v in hooks.values() if len(set(v)) > 1),
            "webhooks redelivered (same id)": sum(len(v) - len(set(v)) for v in hooks.values()),
            "provider submissions": submissions}


def assert_each_once(figures: dict) -> None:
    """Every job completed, one terminal event and one webhook id each, one submission each."""
    jobs = figures["jobs"]
    assert figures["statuses"] == {"completed": jobs}
    assert figures["duplicated terminal events"] == 0
    assert figures["jobs without a webhook"] == 0
    assert figures["jobs with more than one webhook id"] == 0
    assert figures["provider submissions"] == jobs
