"""Midjourney jobs on accounts in real Chromium against the Midjourney stand-in."""

import httpx
import pytest

from schemas.events import Event, JobCancel
from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_an_imagine_job_comes_back_with_four_stored_images(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        job = imagine("a red fox sticker", idea_id="idea-7")
        await publisher.publish(job)
        done = await events.until(ended(job, "wowz.job.completed"))
    finally:
        await service.stop()
    assert done.data.job_id == job.data.job_id
    assert events.of(job.data.job_id)[:2] == ["wowz.job.requested", "wowz.job.started"]
    assert "wowz.job.progress" in events.of(job.data.job_id)
    images = done.data.output.images
    assert [i.index for i in images] == [0, 1, 2, 3]
    for image in images:
        path = image.url.removeprefix("http://files.test/files/")
        assert path.startswith("product-designs/product_design/idea-7/generated_")
        data = (tmp_path / "objects" / path).read_bytes()
        assert data.startswith(b"\x89PNG") and image.width and image.height
    # --ar 4:3 is the seed's default
    assert images[0].width * 3 == images[0].height * 4
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        stats = (await client.get("/_sandbox/stats")).json()
    assert stats["submissions"] == 1


async def test_a_moderated_prompt_fails_at_once_without_retry(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        job = imagine("something sandbox:moderated")
        await publisher.publish(job)
        failed = await events.until(ended(job, "wowz.job.failed"))
    finally:
        await service.stop()
    assert failed.data.error.code == "moderated"
    assert failed.data.error.retryable is False
    assert "community standards" in failed.data.error.message


async def test_an_expired_account_hands_its_job_to_the_other_account(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    first = await sandbox_account(sandbox, "mj-a", tmp_path)
    second = await sandbox_account(sandbox, "mj-b", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [first, second], tmp_path)
    try:
        async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
            await client.post("/_sandbox/accounts/mj-a/expire")
        jobs = [imagine(f"cat number {i}") for i in range(4)]
        for job in jobs:
            await publisher.publish(job)
        for job in jobs:
            await events.until(ended(job, "wowz.job.completed"))
        health = await events.until(lambda e: e.type == "wowz.account.health"
                                    and e.data.account_id == "mj-a" and not e.data.healthy)
        states = {s["id"]: s for s in service.states()}
    finally:
        await service.stop()
    assert "auth_expired" in health.data.reason
    assert states["mj-a"]["healthy"] is False and states["mj-b"]["healthy"] is True
    ids = {j.data.job_id for j in jobs}
    completed_by = {e.data.account_id for e in events.seen
                    if e.type == "wowz.job.completed" and e.data.job_id in ids}
    assert completed_by == {"mj-b"}


async def test_a_hanging_job_times_out_and_the_account_keeps_working(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        hang = imagine("forever sandbox:hang", timeout_s=10)
        await publisher.publish(hang)
        failed = await events.until(ended(hang, "wowz.job.failed"), timeout=30)
        ok = imagine("a quick one")
        await publisher.publish(ok)
        await events.until(ended(ok, "wowz.job.completed"))
    finally:
        await service.stop()
    assert failed.data.job_id == hang.data.job_id and failed.data.error.code == "timeout"


async def test_a_cancelled_job_ends_as_cancelled(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await sandbox_account(sandbox, "mj-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        job = imagine("slow sandbox:hang")
        await publisher.publish(job)
        await events.until(ended(job, "wowz.job.progress"))
        await publisher.publish(Event.of(JobCancel(job_id=job.data.job_id, provider="midjourney",
                                                   seq=0)))
        failed = await events.until(ended(job, "wowz.job.failed"))
    finally:
        await service.stop()
    assert failed.data.error.code == "cancelled"
