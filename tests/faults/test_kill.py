"""With 100 jobs in flight, each service in turn is killed with SIGKILL and started again 5 s
later. Every job must end completed, exactly once, with one webhook (one webhook-id) each, and
no provider job submitted twice. Prints the figures (docs/reliability.md)."""

import asyncio
import collections
import json
import time

import httpx
import pytest

from store import keys
from tests.conftest import TEST_AMQP, TEST_DB, sandbox_account
from tests.e2e.conftest import free_port
from tests.e2e.receiver import Receiver
from tests.faults.cluster import SERVICES, Cluster, cluster_env

pytestmark = pytest.mark.faults

JOBS = 100


async def submit_all(base: str, api_key: str, hook: str) -> list[str]:
    """Submit with an Idempotency-Key per job, retrying while the ingress is away."""
    async with httpx.AsyncClient(base_url=base, timeout=10,
                                 headers={"Authorization": f"Bearer {api_key}"}) as client:
        async def one(n: int) -> str:
            for _ in range(100):
                try:
                    response = await client.post("/v1/jobs", headers={
                        "Idempotency-Key": f"fault-{n}"}, json={
                        "provider": "midjourney", "action": "imagine",
                        "input": {"prompt": f"survivor {n}"}, "webhook": {"url": hook}})
                    if response.status_code in (200, 202):
                        return response.json()["id"]
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            raise RuntimeError(f"job {n} could not be submitted")
        return list(await asyncio.gather(*(one(n) for n in range(JOBS))))


async def test_every_job_survives_each_service_being_killed(sandbox, clean_db, clean_bus,
                                                            tmp_path):
    import httpx as control_http

    async with control_http.AsyncClient(base_url=sandbox.midjourney_url) as control:
        await control.post("/_sandbox/config", json={"generation_s": 3})
    accounts = [await sandbox_account(sandbox, f"mj-fault-{n}", tmp_path, concurrency=5)
                for n in (1, 2)]
    port = free_port()
    cluster = Cluster(cluster_env(tmp=tmp_path, db=TEST_DB, amqp=TEST_AMQP, port=port,
                                  sandbox=sandbox, accounts=accounts), tmp_path)
    receiver = await Receiver().start()
    key = await keys.create_key(clean_db, name="faults")
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        for name in SERVICES:
            await cluster.start(name)
        ids = await submit_all(base, key.api_key, f"{receiver.url}/hook")
        kills = []
        for name in SERVICES:
            await asyncio.sleep(2)
            await cluster.kill(name)
            kills.append((name, round(time.monotonic() - started, 1)))
            await asyncio.sleep(5)
            await cluster.start(name)

        async def all_delivered() -> None:
            while True:
                done = await clean_db.fetchval(
                    "select count(*) from jobs where id = any($1::text[]) and status in "
                    "('completed','failed','timeout','cancelled')", ids)
                hooked = {json.loads(r["body"])["data"]["job_id"] for r in receiver.requests}
                if done == JOBS and hooked >= set(ids):
                    return
                await asyncio.sleep(0.5)
        try:
            await asyncio.wait_for(all_delivered(), 240)
        except TimeoutError:
            pass
        recovered_s = round(time.monotonic() - started, 1)
        await asyncio.sleep(3)  # room for a late duplicate
        statuses = collections.Counter(r["status"] for r in await clean_db.fetch(
            "select status from jobs where id = any($1::text[])", ids))
        terminal_events = collections.Counter(r["job_id"] for r in await clean_db.fetch(
            "select job_id from job_events where job_id = any($1::text[]) and type in "
            "('wowz.job.completed', 'wowz.job.failed')", ids))
        hooks = collections.defaultdict(list)
        for r in receiver.requests:
            hooks[json.loads(r["body"])["data"]["job_id"]].append(r["headers"]["webhook-id"])
        async with control_http.AsyncClient(base_url=sandbox.midjourney_url) as control:
            submissions = (await control.get("/_sandbox/stats")).json()["submissions"]
    finally:
        await cluster.stop()
        await receiver.stop()
    figures = {
        "jobs": JOBS, "kills (service, s)": kills, "statuses": dict(statuses),
        "lost (not terminal)": JOBS - sum(n for s, n in statuses.items() if s != "pending"
                                          and s != "processing"),
        "duplicated terminal events": sum(1 for n in terminal_events.values() if n > 1),
        "jobs with more than one webhook id": sum(1 for v in hooks.values() if len(set(v)) > 1),
        "webhooks redelivered (same id)": sum(len(v) - len(set(v)) for v in hooks.values()),
        "jobs without a webhook": JOBS - len(hooks),
        "provider submissions": submissions, "all ended after s": recovered_s}
    print("\nFAULT sigkill-each-service", json.dumps(figures))
    assert statuses == {"completed": JOBS}
    assert figures["duplicated terminal events"] == 0
    assert figures["jobs without a webhook"] == 0
    assert figures["jobs with more than one webhook id"] == 0
    assert submissions == JOBS
