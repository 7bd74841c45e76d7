"""A Midjourney consumer killed with SIGKILL in the middle of a job: after the restart the job
completes once and the provider saw a single submission."""

import asyncio
import os
import signal
import sys
import uuid

import httpx
import pytest
import yaml

from bus import topology
from bus.codec import from_message
from bus.publisher import Publisher
from schemas.events import Event, JobRequested
from schemas.jobs import parse_request
from tests.conftest import TEST_AMQP, TEST_DB, sandbox_account

pytestmark = pytest.mark.e2e


async def start_consumer(env: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wowz.cli", "run", "midjourney", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True)


async def test_a_consumer_killed_mid_job_resumes_it_without_a_second_submission(
        settings, sandbox, clean_db, clean_bus, amqp, tmp_path):
    account = await sandbox_account(sandbox, "mj-crash", tmp_path)
    accounts_file = tmp_path / "accounts.yaml"
    accounts_file.write_text(yaml.safe_dump({"accounts": [
        {"id": account.id, "provider": "midjourney", "credentials": str(account.credentials),
         "user_id": account.user_id, "concurrency": 2}]}))
    env = {**os.environ, "WOWZ_DATABASE_URL": TEST_DB, "WOWZ_AMQP_URL": TEST_AMQP,
           "WOWZ_ACCOUNTS_FILE": str(accounts_file),
           "WOWZ_MIDJOURNEY_URL": sandbox.midjourney_url,
           "WOWZ_MIDJOURNEY_CDN_URL": sandbox.cdn_url,
           "WOWZ_STORAGE_DIR": str(tmp_path / "storage"),
           "WOWZ_PROFILES_DIR": str(tmp_path / "profiles"), "WOWZ_POLL_INTERVAL_S": "0.3"}
    control = httpx.AsyncClient(base_url=sandbox.midjourney_url)
    await control.post("/_sandbox/config", json={"generation_s": 8})

    channel = await amqp.channel()
    listener = await topology.declare_listener(channel, ["job.#"])
    publisher = await Publisher.open(amqp)
    request = parse_request({"provider": "midjourney", "action": "imagine",
                             "input": {"prompt": "survives a crash"}})
    job_id = str(uuid.uuid4())
    await publisher.publish(Event.of(JobRequested(
        job_id=job_id, provider="midjourney", seq=0, action="imagine", input=request.input)))

    consumer = await start_consumer(env)
    try:
        async def generating() -> None:
            # mid-job: the provider took it and the consumer recorded the provider's job id
            while not await clean_db.fetchval(
                    "select provider_job_id from job_runs where job_id = $1", job_id):
                await asyncio.sleep(0.05)
        await asyncio.wait_for(generating(), 60)
        os.killpg(consumer.pid, signal.SIGKILL)
        await consumer.wait()

        consumer = await start_consumer(env)
        completed = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        quiet_until = None  # after the first completion, 2 s more for a duplicate to show up
        while loop.time() < (quiet_until or deadline):
            message = await listener.get(fail=False)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            await message.ack()
            event = from_message(message)
            if event.type == "wowz.job.completed":
                completed.append(event)
                quiet_until = quiet_until or loop.time() + 2.0
    finally:
        os.killpg(consumer.pid, signal.SIGTERM)
        await consumer.wait()
        await publisher.close()
        await channel.close()
    stats = (await control.get("/_sandbox/stats")).json()
    await control.aclose()
    assert stats["submissions"] == 1
    assert [e.data.job_id for e in completed] == [job_id]
    assert len(completed[0].data.output.images) == 4
    run = await clean_db.fetchrow("select attempt, provider_job_id from job_runs where job_id = $1",
                                  job_id)
    assert run["attempt"] == 2 and run["provider_job_id"]
