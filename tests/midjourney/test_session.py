"""The browser session of an account: shared by its jobs, relaunched when Chromium dies, and one
status request per tick for all the account's jobs."""

import asyncio
import os
import signal

import httpx
import pytest

from consumers.midjourney import wire
from consumers.providers.accounts import read_cookies
from consumers.providers.browser import BrowserConfig, BrowserSession
from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, start_service
from tests.support import chromium_pids, ended

pytestmark = pytest.mark.browser


async def test_a_killed_browser_is_relaunched_on_the_next_call(settings, sandbox, tmp_path):
    account = await sandbox_account(sandbox, "mj-1", tmp_path)
    session = BrowserSession(
        config=BrowserConfig(executable=settings.browser.chromium_path,
                             args=settings.browser.chromium_args),
        profile_dir=tmp_path / "profile", origin=sandbox.midjourney_url,
        start_path=wire.START_PAGE, cookies=read_cookies(account.credentials))
    try:
        first = await session.fetch("POST", wire.STATUS, json_body={"jobIds": []},
                                    headers=wire.HEADERS)
        [pid] = chromium_pids(tmp_path / "profile")
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if (await session.page()).is_closed() is False and session.launches == 2:
                break
            await asyncio.sleep(0.05)
        second = await session.fetch("POST", wire.STATUS, json_body={"jobIds": []},
                                     headers=wire.HEADERS)
    finally:
        await session.close()
    assert first.status == 200 and second.status == 200
    assert session.launches == 2


async def test_concurrent_jobs_of_an_account_share_one_status_request_per_tick(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-1", tmp_path, concurrency=5)
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as control:
        await control.post("/_sandbox/config", json={"generation_s": 3})
        service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
        try:
            jobs = [imagine(f"fox {i}") for i in range(5)]
            for job in jobs:
                await publisher.publish(job)
            for job in jobs:
                await events.until(ended(job, "wowz.job.completed"))
        finally:
            await service.stop()
        stats = (await control.get("/_sandbox/stats")).json()
    # 5 jobs of 3 s polled one by one every 0.3 s would take about 50 requests
    assert stats["submissions"] == 5
    assert stats["status_requests_by_account"]["mj-1"] <= 20
