"""An operator switches Midjourney accounts off and on while their service runs (real account
workers in Chromium against the stand-in): a disabled account takes no new job while another
does, its running job finishes, and enabled again it takes jobs, all without a restart."""

import asyncio

import httpx
import pytest

from store import accounts
from tests.conftest import sandbox_account
from tests.dashboard.helpers import ACCOUNTS
from tests.http.conftest import auth
from tests.midjourney.helpers import imagine, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def run_on(publisher, events, count: int) -> list[str]:
    """Publish `count` jobs at once; the account each completed on."""
    jobs = [imagine(f"a kite {n}") for n in range(count)]
    for job in jobs:
        await publisher.publish(job)
    done = [await events.until(ended(job, "wowz.job.completed")) for job in jobs]
    return [event.data.account_id for event in done]


async def until_switched(service, disabled: dict[str, bool]) -> None:
    """The service has heard the operator (the API answers before the bus delivers)."""
    async with asyncio.timeout(5):
        while {s["id"]: s["disabled"] for s in service.states()} != disabled:
            await asyncio.sleep(0.02)


async def test_a_disabled_account_takes_no_job_while_another_does_until_enabled_again(
        settings, sandbox, serve, clean_db, amqp, events, publisher, admin, tmp_path):
    await clean_db.execute("delete from accounts")
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        await client.post("/_sandbox/config", json={"generation_s": 0.6})
    one, two = [await sandbox_account(sandbox, name, tmp_path, concurrency=1)
                for name in ("mj-one", "mj-two")]
    # mj-two was disabled while its service was down: it starts disabled.
    await accounts.save_account(clean_db, {**ACCOUNTS[0], "id": "mj-two", "running": 0,
                                           "jobs_today": 0})
    await accounts.switch(clean_db, "mj-two", enabled=False, by=admin.key.id)
    api = await serve()
    service = await start_service(settings, sandbox, clean_db, amqp, [one, two], tmp_path)
    try:
        assert {s["id"]: s["disabled"] for s in service.states()} == {
            "mj-one": False, "mj-two": True}
        first = imagine("a kite in flight")
        await publisher.publish(first)
        started = await events.until(ended(first, "wowz.job.started"))
        assert started.data.account_id == "mj-one"
        for verb, account in (("disable", "mj-one"), ("enable", "mj-two")):
            answer = await api.client.post(f"/v1/accounts/{account}/{verb}",
                                           headers=auth(admin))
            assert answer.status_code == 200, answer.text
        finished = await events.until(ended(first, "wowz.job.completed"))
        assert finished.data.account_id == "mj-one"  # in flight when disabled: it finished

        # mj-one is idle and would take one of two jobs if it still consumed.
        assert await run_on(publisher, events, 2) == ["mj-two", "mj-two"]

        for verb, account in (("enable", "mj-one"), ("disable", "mj-two")):
            await api.client.post(f"/v1/accounts/{account}/{verb}", headers=auth(admin))
        await until_switched(service, {"mj-one": False, "mj-two": True})
        assert await run_on(publisher, events, 1) == ["mj-one"]
    finally:
        await service.stop()
    listed = (await api.client.get("/v1/accounts", headers=auth(admin))).json()["data"]
    assert {(a["id"], a["enabled"], a["jobs_today"]) for a in listed} == {
        ("mj-one", True, 2), ("mj-two", False, 2)}
