"""Midjourney jobs on accounts in real Chromium against the Midjourney stand-in."""

import asyncio
import uuid

import httpx
import pytest

from bus import topology
from bus.codec import from_message
from bus.publisher import Publisher
from consumers.midjourney.service import adapter_factory, credentials_loader
from consumers.providers.browser import BrowserConfig
from consumers.providers.service import ProviderService
from schemas.events import Event, JobCancel, JobRequested
from schemas.jobs import parse_request
from store.objects import LocalStore
from tests.conftest import sandbox_account

pytestmark = pytest.mark.browser


class Events:
    """Every job event on the bus, as a test listener sees them."""

    def __init__(self, queue):
        self.queue = queue
        self.seen: list[Event] = []

    async def until(self, predicate, timeout=30.0) -> Event:
        async def scan():
            while True:
                for event in self.seen:
                    if predicate(event):
                        return event
                message = await self.queue.get(timeout=timeout, fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                await message.ack()
                self.seen.append(from_message(message))
        return await asyncio.wait_for(scan(), timeout)

    def of(self, job_id: str) -> list[str]:
        return [e.type for e in self.seen if getattr(e.data, "job_id", None) == job_id]


@pytest.fixture
async def events(amqp, clean_bus):
    channel = await amqp.channel()
    queue = await topology.declare_listener(channel, ["job.#", "account.#"])
    yield Events(queue)
    await channel.close()


@pytest.fixture
async def publisher(amqp):
    publisher = await Publisher.open(amqp)
    yield publisher
    await publisher.close()


async def start_service(settings, sandbox, pool, amqp, accounts, tmp_path, **kw):
    factory = adapter_factory(
        browser=BrowserConfig(executable=settings.browser.chromium_path,
                              args=settings.browser.chromium_args),
        profiles_dir=tmp_path / "profiles", web_url=sandbox.midjourney_url,
        cdn_url=sandbox.cdn_url, bucket="product-designs", poll_interval_s=0.3, poll_fast_s=0.1)
    service = ProviderService(
        provider="midjourney", accounts=accounts, adapter_factory=factory, pool=pool,
        connection=amqp, objects=LocalStore(tmp_path / "objects", "http://files.test"),
        credentials_loader=credentials_loader, recheck_s=kw.pop("recheck_s", 0.5), **kw)
    await service.start()
    return service


def ended(job: Event, event_type: str):
    return lambda e: e.type == event_type and getattr(e.data, "job_id", None) == job.data.job_id


def imagine(prompt: str, **metadata) -> Event:
    request = parse_request({"provider": "midjourney", "action": "imagine",
                             "input": {"prompt": prompt}, "metadata": metadata,
                             "timeout_s": metadata.pop("timeout_s", 60)})
    return Event.of(JobRequested(job_id=str(uuid.uuid4()), provider="midjourney", seq=0,
                                 action=request.action, input=request.input,
                                 metadata=request.metadata, timeout_s=request.timeout_s))


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
