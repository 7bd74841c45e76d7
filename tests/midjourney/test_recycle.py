"""An account's Chromium is recycled between jobs, after N jobs or above a memory ceiling,
never while a job runs."""

import asyncio

import pytest

from consumers.providers.memory import profile_pss
from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_the_browser_is_recycled_after_n_jobs_once_none_is_running(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-rc", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  recycle_after_jobs=2)
    adapter = service.workers[0].adapter
    try:
        batch = [imagine(f"cat {n}") for n in range(3)]
        for job in batch:
            await publisher.publish(job)
        await asyncio.gather(*(events.until(ended(j, "wowz.job.completed")) for j in batch))
        recycled_after_batch = adapter.recycles
        later = imagine("one more")
        await publisher.publish(later)
        await events.until(ended(later, "wowz.job.completed"))
    finally:
        await service.stop()
    # three jobs ran together: one recycle once all were done, then a fresh launch for the next
    assert recycled_after_batch == 1
    assert adapter.session.launches == 2


async def test_the_browser_is_recycled_above_its_memory_ceiling(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-mem", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  recycle_above_mb=1)
    adapter = service.workers[0].adapter
    try:
        in_use = profile_pss(adapter.session.profile_dir)
        job = imagine("a cat")
        await publisher.publish(job)
        await events.until(ended(job, "wowz.job.completed"))
        await asyncio.sleep(0.2)
        after = profile_pss(adapter.session.profile_dir)
    finally:
        await service.stop()
    assert in_use > 2**20 and adapter.recycles == 1
    assert after == 0  # closed, until the next call launches it again
