"""Tokens under load: twenty jobs in flight when the token expires or is refused cost the
token service one more hit per account, not one per job."""

import asyncio
import math
import time

import httpx
import pytest

from tests.ideogram.helpers import (
    ideogram_account,
    request,
    sandbox_post,
    sandbox_stats,
    start_service,
)
from tests.support import ended

pytestmark = pytest.mark.browser

JOBS = 20


async def run_twenty(settings, sandbox, pool, amqp, events, publisher, tmp_path, *,
                     during=None, **kw):
    accounts = [await ideogram_account(sandbox, f"ideo-{n}", concurrency=10) for n in (1, 2)]
    started = time.monotonic()
    service = await start_service(settings, sandbox, pool, amqp, accounts, tmp_path, **kw)
    try:
        jobs = [request("generate", prompt=f"a fox number {i}", num_images=1)
                for i in range(JOBS)]
        for job in jobs:
            await publisher.publish(job)
        if during is not None:
            await during()
        done = [await events.until(ended(job, "wowz.job.completed")) for job in jobs]
    finally:
        await service.stop()
    return done, time.monotonic() - started


async def test_a_token_that_expires_during_twenty_jobs_is_fetched_again_once_per_account(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    ttl = 4.0
    await sandbox_post(sandbox, "/_sandbox/config", {"token_ttl_s": ttl})
    # no renewal ahead of time: the jobs are still running when the token runs out
    done, elapsed = await run_twenty(settings, sandbox, clean_db, amqp, events, publisher,
                                     tmp_path, generation_s=ttl + 1, token_margin_s=0,
                                     token_ahead_s=0)
    hits = (await sandbox_stats(sandbox))["token_hits_by_account"]
    assert len(done) == JOBS
    # one fetch per token lifetime the jobs lasted (2 on an unloaded machine), not one per job
    assert set(hits) == {"ideo-1", "ideo-2"}
    assert all(2 <= n <= math.ceil(elapsed / ttl) for n in hits.values()), (hits, elapsed)


async def test_a_token_refused_during_twenty_jobs_is_replaced_once_per_account(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    async def revoke_midway():
        await asyncio.sleep(1.0)
        async with httpx.AsyncClient(base_url=sandbox.ideogram_url) as control:
            for account_id in ("ideo-1", "ideo-2"):
                await control.post(f"/_sandbox/accounts/{account_id}/revoke")

    done, _ = await run_twenty(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                               during=revoke_midway, generation_s=2.5)
    stats = await sandbox_stats(sandbox)
    assert len(done) == JOBS
    assert stats["token_hits_by_account"] == {"ideo-1": 2, "ideo-2": 2}
    assert stats["unauthorized"] >= 2  # the jobs did see the refusal
