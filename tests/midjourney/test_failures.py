"""How Midjourney jobs fail: captcha, invalid parameters and moderation at once, 429 retried,
and an action on a job of another account routed to that account."""

import httpx
import pytest

from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, job, record, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def _force(sandbox, account_id: str, trigger: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        await client.post(f"/_sandbox/accounts/{account_id}/failures", json={"trigger": trigger})


@pytest.fixture
async def one_account(settings, sandbox, clean_db, amqp, tmp_path):
    account = await sandbox_account(sandbox, "mj-f", tmp_path)
    running = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    yield running
    await running.stop()


@pytest.mark.parametrize(("trigger", "code"), [("captcha", "captcha_required"),
                                               ("invalid", "bad_input"),
                                               ("moderated", "moderated")])
async def test_a_captcha_an_invalid_parameter_or_moderation_fails_at_once_with_its_code(
        one_account, sandbox, events, publisher, trigger, code):
    await _force(sandbox, "mj-f", trigger)
    requested = imagine("a cat")
    await publisher.publish(requested)

    failed = await events.until(ended(requested, "wowz.job.failed"))

    assert failed.data.error.code == code and failed.data.error.retryable is False
    assert failed.data.attempts == 1


async def test_a_rate_limited_submit_backs_off_and_then_completes(
        one_account, sandbox, events, publisher):
    await _force(sandbox, "mj-f", "429")
    requested = imagine("a cat")
    await publisher.publish(requested)

    await events.until(ended(requested, "wowz.job.completed"))

    starts = [e for e in events.seen if e.type == "wowz.job.started"
              and e.data.job_id == requested.data.job_id]
    assert [s.data.attempt for s in starts] == [1, 2]


async def test_an_upscale_runs_on_the_account_that_made_its_parent(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    accounts = [await sandbox_account(sandbox, f"mj-own-{n}", tmp_path) for n in (1, 2)]
    service = await start_service(settings, sandbox, clean_db, amqp, accounts, tmp_path)
    try:
        parents = [imagine(f"parent {n}") for n in range(4)]
        for parent in parents:
            await publisher.publish(parent)
        done = [await events.until(ended(p, "wowz.job.completed")) for p in parents]
        for parent, finished in zip(parents, done, strict=True):
            await record(clean_db, parent, finished)
        children = [job("upscale", {"job_id": p.data.job_id, "index": 0}) for p in parents]
        for child in children:
            await publisher.publish(child)
        upscaled = [await events.until(ended(c, "wowz.job.completed")) for c in children]
    finally:
        await service.stop()
    assert [u.data.account_id for u in upscaled] == [d.data.account_id for d in done]
