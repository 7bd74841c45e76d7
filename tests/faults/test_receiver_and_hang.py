"""A client's receiver answering 500 for two minutes, then 200: every webhook arrives on a retry,
once. A provider that hangs: the jobs end with `timeout` and the accounts stay usable."""

import asyncio
import collections
import json
import time

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse

from store import keys
from tests.conftest import sandbox_account
from tests.e2e.conftest import free_port
from tests.e2e.receiver import Receiver

pytestmark = pytest.mark.faults

JOBS = 100


class FailingReceiver(Receiver):
    """Answers 500 until `healthy_at` (monotonic), then records and answers 200."""

    healthy_at = 0.0
    refused = 0

    async def _hook(self, request: Request):
        if time.monotonic() < self.healthy_at:
            self.refused += 1
            return JSONResponse({"error": "down"}, status_code=500)
        return await super()._hook(request)


async def running_platform(settings, sandbox, tmp_path, *, retry_delays, timeout_accounts=2):
    from wowz.platform import SERVICES, Platform

    accounts = [await sandbox_account(sandbox, f"mj-f-{n}", tmp_path, concurrency=10)
                for n in range(timeout_accounts)]
    s = settings.model_copy(deep=True)
    s.providers.midjourney_url, s.providers.midjourney_cdn_url = (
        sandbox.midjourney_url, sandbox.cdn_url)
    s.browser.profiles_dir = tmp_path / "profiles"
    s.notifier.retry_delays_s = retry_delays
    s.http.port = free_port()
    s.http.public_url = f"http://127.0.0.1:{s.http.port}"
    platform = Platform(s, list(SERVICES), accounts)
    await platform.start()
    return platform


async def submit(platform, api_key: str, jobs: list[dict]) -> list[str]:
    async with httpx.AsyncClient(base_url=platform.settings.http.public_url, timeout=30,
                                 headers={"Authorization": f"Bearer {api_key}"}) as client:
        return [(await client.post("/v1/jobs", json=job)).raise_for_status().json()["id"]
                for job in jobs]


async def until(predicate, timeout: float) -> float:
    started = time.monotonic()
    while not await predicate():
        if time.monotonic() - started > timeout:
            break
        await asyncio.sleep(0.5)
    return round(time.monotonic() - started, 1)


async def test_webhooks_to_a_receiver_down_for_two_minutes_arrive_once_when_it_is_back(
        settings, sandbox, clean_db, clean_bus, tmp_path):
    receiver = FailingReceiver()
    await receiver.start()
    receiver.healthy_at = time.monotonic() + 120
    platform = await running_platform(settings, sandbox, tmp_path,
                                      retry_delays=[5, 30, 30, 30, 30, 30, 30])
    try:
        key = await keys.create_key(clean_db, name="faults")
        ids = await submit(platform, key.api_key, [
            {"provider": "midjourney", "action": "imagine", "input": {"prompt": f"r{n}"},
             "webhook": {"url": f"{receiver.url}/hook"}} for n in range(JOBS)])

        async def delivered() -> bool:
            return len({json.loads(r["body"])["data"]["job_id"] for r in receiver.requests}) \
                >= JOBS
        recovered = await until(delivered, 300)
        await asyncio.sleep(3)
        attempts = await clean_db.fetchval("select count(*) from webhook_deliveries")
    finally:
        await platform.stop()
        await receiver.stop()
    per_job = collections.Counter(json.loads(r["body"])["data"]["job_id"]
                                  for r in receiver.requests)
    figures = {"jobs": JOBS, "refused with 500": receiver.refused,
               "delivered jobs": len(per_job), "jobs delivered twice": sum(
                   1 for n in per_job.values() if n > 1), "attempts recorded": attempts,
               "all delivered after s": recovered}
    print("\nFAULT receiver-500-for-2-min", json.dumps(figures))
    assert set(per_job) == set(ids) and all(n == 1 for n in per_job.values())
    assert receiver.refused >= JOBS


async def test_a_hanging_provider_times_jobs_out_and_its_accounts_keep_working(
        settings, sandbox, clean_db, clean_bus, tmp_path):
    platform = await running_platform(settings, sandbox, tmp_path, retry_delays=[1])
    try:
        key = await keys.create_key(clean_db, name="faults")
        hung = await submit(platform, key.api_key, [
            {"provider": "midjourney", "action": "imagine", "timeout_s": 15,
             "input": {"prompt": f"stuck {n} sandbox:hang"}} for n in range(20)])

        async def all_timed_out() -> bool:
            return await clean_db.fetchval(
                "select count(*) from jobs where id = any($1::text[]) and status = 'timeout'",
                hung) == len(hung)
        timed_out_after = await until(all_timed_out, 90)
        after = await submit(platform, key.api_key, [
            {"provider": "midjourney", "action": "imagine", "input": {"prompt": f"ok {n}"}}
            for n in range(5)])

        async def all_completed() -> bool:
            return await clean_db.fetchval(
                "select count(*) from jobs where id = any($1::text[]) and status = "
                "'completed'", after) == len(after)
        completed_after = await until(all_completed, 60)
        healthy = [s["healthy"] for svc in platform.services if hasattr(svc, "states")
                   for s in svc.states()]
    finally:
        await platform.stop()
    figures = {"hung jobs": len(hung), "timed out after s (timeout 15 s)": timed_out_after,
               "later jobs completed after s": completed_after, "accounts healthy": healthy}
    print("\nFAULT provider-hangs", json.dumps(figures))
    statuses = collections.Counter(r["status"] for r in await clean_db.fetch(
        "select status from jobs where id = any($1::text[])", hung + after))
    assert statuses == {"timeout": len(hung), "completed": len(after)}
    assert all(healthy)
