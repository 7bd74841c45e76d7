"""Midjourney accounts stay healthy: the id token is refreshed before it expires (and written
back), and an unhealthy account resumes once its cookie file is replaced."""

import asyncio
import json

import httpx
import pytest

from store import accounts as account_rows
from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, job, record, start_service
from tests.support import ended

pytestmark = pytest.mark.browser

ID_COOKIE = "__Host-Midjourney.AuthUserTokenV3_i"


async def test_an_expiring_id_token_is_refreshed_and_written_back_to_the_cookie_file(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        await client.post("/_sandbox/accounts", json={"account_id": "mj-r", "token_ttl_s": 60})
    account = await sandbox_account(sandbox, "mj-r", tmp_path)
    before = json.loads(account.credentials.read_text())
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  refresh_margin_s=3599)
    try:
        requested = imagine("a cat")
        await publisher.publish(requested)
        await events.until(ended(requested, "wowz.job.completed"))
    finally:
        await service.stop()
    after = json.loads(account.credentials.read_text())
    cookies = {c["name"]: c["value"] for c in after}
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url, cookies=cookies) as client:
        stats = (await client.get("/_sandbox/stats")).json()
        works = await client.post("/api/job-status", json={"jobIds": []},
                                  headers={"x-csrf-protection": "1"})
    assert stats["refreshes"] >= 1
    assert [c["name"] for c in after] == [c["name"] for c in before]
    assert cookies[ID_COOKIE] != {c["name"]: c["value"] for c in before}[ID_COOKIE]
    assert works.status_code == 200
    assert account.credentials.stat().st_mode & 0o777 == 0o600  # still private


async def test_an_account_with_expired_cookies_resumes_when_its_cookie_file_is_replaced(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    await clean_db.execute("truncate accounts")
    account = await sandbox_account(sandbox, "mj-x", tmp_path)
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        await client.post("/_sandbox/accounts/mj-x/expire")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  recheck_s=0.3)
    try:
        unhealthy = service.states()[0]
        await asyncio.sleep(0.5)
        fresh = await sandbox_account(sandbox, "mj-x", tmp_path)  # new cookies, same file
        assert fresh.credentials == account.credentials
        await events.until(lambda e: e.type == "wowz.account.health" and e.data.healthy)
        requested = imagine("a cat")
        await publisher.publish(requested)
        done = await events.until(ended(requested, "wowz.job.completed"))
    finally:
        await service.stop()
    assert unhealthy["healthy"] is False and "auth_expired" in unhealthy["reason"]
    assert done.data.account_id == "mj-x"
    (row,) = await account_rows.list_accounts(clean_db, provider="midjourney")
    assert (row["id"], row["healthy"], row["jobs_today"], row["running"]) == ("mj-x", True, 1, 0)


async def test_an_action_that_names_no_mode_runs_in_the_accounts_mode(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-relax", tmp_path, mode="relax")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        parent = imagine("a cat")
        await publisher.publish(parent)
        await record(clean_db, parent, await events.until(ended(parent, "wowz.job.completed")))
        child = job("upscale", {"job_id": parent.data.job_id, "index": 0})
        await publisher.publish(child)
        done = await events.until(ended(child, "wowz.job.completed"))
    finally:
        await service.stop()
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        submitted = (await client.get(f"/_sandbox/jobs/{done.data.provider_job_id}")).json()
    assert submitted["mode"] == "relax"
