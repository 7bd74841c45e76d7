"""A Midjourney job whose handler is cut off while its submission is on its way (the broker
closed the connection: aiormq cancels every handler of that connection) and whose message the
broker then delivers again: Midjourney sees one submission, and the job completes with it."""

import asyncio
import logging

import httpx
import pytest

from consumers.midjourney import wire
from consumers.midjourney.service import adapter_factory
from consumers.providers.browser import BrowserConfig
from consumers.providers.runner import JobRunner
from store.objects import LocalStore
from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine
from tests.support import ended

pytestmark = pytest.mark.browser


class HeldSubmissions:
    """Holds the page's submit requests in the browser until `release()`, as a slow network
    would: the request is on its way, and goes on whatever happens to the code that sent it."""

    def __init__(self):
        self.seen = 0
        self.held = asyncio.Event()
        self._released = asyncio.Event()

    async def __call__(self, route, request) -> None:
        self.seen += 1
        self.held.set()
        await self._released.wait()
        await route.continue_()

    def release(self) -> None:
        self._released.set()


async def test_a_job_redelivered_while_its_submission_is_on_its_way_is_submitted_once(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, caplog):
    caplog.set_level(logging.INFO, "wowz.runner")
    account = await sandbox_account(sandbox, "mj-once", tmp_path)
    adapter = adapter_factory(
        browser=BrowserConfig(executable=settings.browser.chromium_path,
                              args=settings.browser.chromium_args),
        profiles_dir=tmp_path / "profiles", web_url=sandbox.midjourney_url,
        cdn_url=sandbox.cdn_url, bucket="product-designs", poll_interval_s=0.3,
        allow_private_urls=True)(account)
    runner = JobRunner(pool=clean_db, publisher=publisher,
                       objects=LocalStore(tmp_path / "objects", "http://files.test"))
    submissions = HeldSubmissions()
    await (await adapter.session.page()).route(f"**{wire.SUBMIT}", submissions)
    requested = imagine("a lighthouse in the fog")
    job = requested.data

    def copy_waits() -> bool:
        return any(r.getMessage().startswith("a submission of this job is on its way")
                   for r in caplog.records)

    try:
        first = asyncio.create_task(runner.run(job, adapter=adapter, account_id=account.id,
                                               fresh=True))
        await asyncio.wait_for(submissions.held.wait(), 30)
        first.cancel()  # as aiormq does to the handlers of a connection the broker closed
        with pytest.raises(asyncio.CancelledError):
            await first
        copy = asyncio.create_task(runner.run(job, adapter=adapter, account_id=account.id))
        # Either the copy waits for the first submission's answer, or (as it did before) it
        # sends a second submission, which is held too.
        async with asyncio.timeout(30):
            while not (copy_waits() or submissions.seen > 1):
                await asyncio.sleep(0.01)
        submissions.release()
        await asyncio.wait_for(copy, 60)
        done = await events.until(ended(requested, "wowz.job.completed"), timeout=10)
    finally:
        submissions.release()
        await adapter.close()
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as control:
        stats = (await control.get("/_sandbox/stats")).json()
    assert stats["submissions"] == 1
    assert submissions.seen == 1
    assert done.data.provider_job_id == await clean_db.fetchval(
        "select provider_job_id from job_runs where job_id = $1", job.job_id)
    assert len(done.data.output.images) == wire.IMAGES_PER_JOB
