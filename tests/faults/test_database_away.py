"""Postgres unreachable for 30 s with 100 jobs in flight: every job still ends completed, once,
with one webhook each, and no provider job is submitted twice."""

import asyncio
import json
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from store import keys
from tests.conftest import TEST_DB, sandbox_account
from tests.e2e.conftest import free_port
from tests.e2e.receiver import Receiver
from tests.faults.figures import assert_each_once, outcome, settled
from tests.proxy import PostgresProxy

pytestmark = pytest.mark.faults

JOBS = 100


async def test_jobs_in_flight_survive_the_database_being_away_for_30_s(
        settings, sandbox, clean_db, clean_bus, tmp_path):
    from wowz.platform import SERVICES, Platform

    parts = urlsplit(TEST_DB)
    proxy = PostgresProxy((parts.hostname, parts.port or 5432))
    await proxy.restore()
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as control:
        await control.post("/_sandbox/config", json={"generation_s": 4})
    accounts = [await sandbox_account(sandbox, f"mj-db-{n}", tmp_path, concurrency=10)
                for n in (1, 2)]
    s = settings.model_copy(deep=True)
    s.store.database_url = type(s.store.database_url)(
        urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}")))
    s.providers.midjourney_url, s.providers.midjourney_cdn_url = (
        sandbox.midjourney_url, sandbox.cdn_url)
    s.browser.profiles_dir = tmp_path / "profiles"
    s.notifier.retry_delays_s = [1, 5, 30, 30, 30]
    s.http.port = free_port()
    s.http.public_url = f"http://127.0.0.1:{s.http.port}"
    receiver = await Receiver().start()
    platform = Platform(s, list(SERVICES), accounts)
    await platform.start()
    try:
        key = await keys.create_key(clean_db, name="faults")
        async with httpx.AsyncClient(base_url=s.http.public_url, timeout=30, headers={
                "Authorization": f"Bearer {key.api_key}"}) as client:
            ids = [(await client.post("/v1/jobs", json={
                "provider": "midjourney", "action": "imagine", "input": {"prompt": f"db {n}"},
                "webhook": {"url": f"{receiver.url}/hook"}})).raise_for_status().json()["id"]
                for n in range(JOBS)]
        await asyncio.sleep(2)
        await proxy.cut()
        cut_at = time.monotonic()
        await asyncio.sleep(30)
        await proxy.restore()

        await settled(clean_db, ids, receiver)
        recovered_s = round(time.monotonic() - cut_at - 30, 1)
        await asyncio.sleep(3)  # room for a late duplicate
    finally:
        await platform.stop()
        await receiver.stop()
    figures = {**await outcome(clean_db, ids, receiver, sandbox.midjourney_url),
               "all ended and called back s after the database returned": recovered_s}
    print("\nFAULT postgres-away-30s", json.dumps(figures))
    assert_each_once(figures)
