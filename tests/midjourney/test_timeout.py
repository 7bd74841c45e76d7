"""A job's timeout keeps moving while its progress does: a slow job is not a dead one."""

import httpx
import pytest

from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_a_job_slower_than_its_timeout_completes_while_its_progress_keeps_moving(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-slow", tmp_path)
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        await client.post("/_sandbox/config", json={"generation_s": 14.0})
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        slow = imagine("a slow relax job", timeout_s=10)
        await publisher.publish(slow)
        done = await events.until(ended(slow, "wowz.job.completed"), timeout=25)
    finally:
        await service.stop()
    assert len(done.data.output.images) == 4
    assert done.data.durations["run_s"] > 10
