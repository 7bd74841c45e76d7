"""Midjourney accounts that stop taking jobs: a captcha mid-job pauses the account until its
health check passes, a daily cap sends the jobs to the other accounts (or keeps them queued),
and an action on a job of an account that is gone fails instead of waiting forever."""

import asyncio
import json
import time
import uuid
from datetime import timedelta

import httpx
import pytest

from bus.topology import provider_queue
from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, job, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def _sandbox(sandbox, path: str, body: dict | None = None) -> None:
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        (await client.post(path, json=body or {})).raise_for_status()


def _health(account_id: str, healthy: bool):
    return lambda e: (e.type == "wowz.account.health" and e.data.account_id == account_id
                      and e.data.healthy is healthy)


async def test_a_captcha_mid_job_fails_it_and_pauses_the_account_until_a_check_passes(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    await _sandbox(sandbox, "/_sandbox/config", {"generation_s": 3})
    account = await sandbox_account(sandbox, "mj-cap", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  recheck_s=0.3)
    try:
        first = imagine("a cat")
        await publisher.publish(first)
        await events.until(lambda e: e.type == "wowz.job.progress"
                           and e.data.job_id == first.data.job_id)  # submitted
        await _sandbox(sandbox, "/_sandbox/accounts/mj-cap/captcha")
        failed = await events.until(ended(first, "wowz.job.failed"))
        paused = await events.until(_health("mj-cap", False))
        state = service.states()[0]
        await _sandbox(sandbox, "/_sandbox/config", {"generation_s": 0.3})
        await _sandbox(sandbox, "/_sandbox/accounts/mj-cap/restore")  # a human solved it
        await events.until(_health("mj-cap", True))
        second = imagine("a dog")
        await publisher.publish(second)
        done = await events.until(ended(second, "wowz.job.completed"))
    finally:
        await service.stop()
    assert failed.data.error.code == "captcha_required" and failed.data.attempts == 1
    assert paused.data.reason.startswith("captcha_required")
    assert state["healthy"] is False and state["reason"].startswith("captcha_required")
    assert done.data.account_id == "mj-cap"


async def test_an_account_at_its_daily_cap_leaves_the_jobs_to_the_other_account(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    await _sandbox(sandbox, "/_sandbox/config", {"generation_s": 0.3})
    capped = await sandbox_account(sandbox, "mj-capped", tmp_path, daily_cap=1)
    free = await sandbox_account(sandbox, "mj-free", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [capped, free], tmp_path)
    try:
        done = await _completed(publisher, events, [f"cat number {i}" for i in range(5)])
        states = {s["id"]: s for s in service.states()}
    finally:
        await service.stop()
    by_account = [d.data.account_id for d in done]
    assert by_account.count("mj-capped") == 1 and by_account.count("mj-free") == 4
    assert states["mj-capped"]["jobs_today"] == 1 and states["mj-capped"]["healthy"] is True


async def test_when_every_account_is_capped_a_job_waits_in_the_queue_for_the_next_day(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    await _sandbox(sandbox, "/_sandbox/config", {"generation_s": 0.3})
    account = await sandbox_account(sandbox, "mj-one", tmp_path, daily_cap=1)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  recheck_s=0.3)
    try:
        first, second = imagine("a cat"), imagine("a dog")
        await publisher.publish(first)
        await events.until(ended(first, "wowz.job.completed"))
        await publisher.publish(second)
        waiting = await _waiting_in(amqp, provider_queue("midjourney"))
        started_meanwhile = "wowz.job.started" in events.of(second.data.job_id)
        state = service.workers[0].state
        state.today -= timedelta(days=1)  # midnight: yesterday's count no longer holds
        done = await events.until(ended(second, "wowz.job.completed"))
    finally:
        await service.stop()
    assert waiting == second.data.job_id and not started_meanwhile
    assert done.data.account_id == "mj-one" and state.jobs_today == 1


async def test_a_restarted_service_counts_the_jobs_its_accounts_took_earlier_today(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    await _sandbox(sandbox, "/_sandbox/config", {"generation_s": 0.3})
    await clean_db.execute("truncate accounts")
    capped = await sandbox_account(sandbox, "mj-today", tmp_path, daily_cap=1)
    fresh = await sandbox_account(sandbox, "mj-yesterday", tmp_path, daily_cap=3)
    for account, taken, when in ((capped, 1, "now()"), (fresh, 3, "now() - interval '1 day'")):
        await clean_db.execute(  # as the service left them before its restart
            "insert into accounts (id, provider, healthy, since, running, jobs_today, "
            f"concurrency, mode, enabled, daily_cap, updated_at) values ($1, 'midjourney', "
            f"true, now(), 0, $2, 3, 'fast', true, $3, {when})",
            account.id, taken, account.daily_cap)
    service = await start_service(settings, sandbox, clean_db, amqp, [capped, fresh], tmp_path)
    try:
        done = await _completed(publisher, events, [f"fox number {i}" for i in range(2)])
        states = {s["id"]: s for s in service.states()}
    finally:
        await service.stop()
    assert [d.data.account_id for d in done] == ["mj-yesterday"] * 2
    assert (states["mj-today"]["jobs_today"], states["mj-yesterday"]["jobs_today"]) == (1, 2)


async def _completed(publisher, events, prompts: list[str]) -> list:
    """Imagine jobs of these prompts published at once; their completed events, in order."""
    jobs = [imagine(prompt) for prompt in prompts]
    for each in jobs:
        await publisher.publish(each)
    return [await events.until(ended(each, "wowz.job.completed")) for each in jobs]


async def _waiting_in(amqp, queue: str, timeout_s: float = 10.0) -> str:
    """The job id of the request that sits in `queue` (no consumer took it), put back."""
    channel = await amqp.channel()
    try:
        source = await channel.get_queue(queue, ensure=False)
        deadline = time.monotonic() + timeout_s
        while (message := await source.get(fail=False)) is None:
            assert time.monotonic() < deadline, f"nothing waits in {queue}"
            await asyncio.sleep(0.1)
        await message.nack(requeue=True)
        return json.loads(message.body)["job_id"]
    finally:
        await channel.close()


async def _parent_of(pool, account_id: str) -> str:
    """A finished imagine job of `account_id`, as the persister keeps it."""
    job_id = str(uuid.uuid4())
    await pool.execute(
        "insert into jobs (id, status, provider, action, input, account_id, provider_job_id) "
        "values ($1, 'completed', 'midjourney', 'imagine', $2, $3, $4)",
        job_id, {"prompt": "a cat"}, account_id, str(uuid.uuid4()))
    return job_id


async def test_an_action_on_a_job_whose_account_is_gone_or_away_fails_as_no_account(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    here = await sandbox_account(sandbox, "mj-here", tmp_path)
    away = await sandbox_account(sandbox, "mj-away", tmp_path)
    await _sandbox(sandbox, "/_sandbox/accounts/mj-away/expire")
    service = await start_service(settings, sandbox, clean_db, amqp, [here, away], tmp_path)
    try:
        of_gone = job("upscale", {"job_id": await _parent_of(clean_db, "mj-gone"), "index": 0})
        of_away = job("vary", {"job_id": await _parent_of(clean_db, "mj-away"), "index": 1})
        of_away.data.timeout_s = 1  # shorter than the HTTP API allows, as a bus client may ask
        await publisher.publish(of_gone)
        await publisher.publish(of_away)
        gone = await events.until(ended(of_gone, "wowz.job.failed"))
        gave_up = await events.until(ended(of_away, "wowz.job.failed"), timeout=20)
    finally:
        await service.stop()
    assert gone.data.error.code == "no_account" and "mj-gone" in gone.data.error.message
    assert (gone.time - of_gone.time).total_seconds() < 1  # at once: it will not come back
    assert gave_up.data.error.code == "no_account" and "mj-away" in gave_up.data.error.message
    assert "auth_expired" in gave_up.data.error.message
    assert (gave_up.time - of_away.time).total_seconds() >= 1  # waited for it, its timeout long
    assert "wowz.job.started" not in events.of(of_gone.data.job_id) + events.of(
        of_away.data.job_id)
