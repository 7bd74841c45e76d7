"""With 100 jobs in flight, each service in turn is killed with SIGKILL and started again 5 s
later. Every job must end completed, exactly once, with one webhook (one webhook-id) each, and
no provider job submitted twice. Prints the figures (docs/reliability.md)."""

import asyncio
import json
import time

import httpx
import pytest

from store import keys
from tests.conftest import TEST_AMQP, TEST_DB, sandbox_account
from tests.e2e.conftest import free_port
from tests.e2e.receiver import Receiver
from tests.faults.cluster import SERVICES, Cluster, cluster_env
from tests.faults.figures import assert_each_once, outcome, settled

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
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as control:
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

        await settled(clean_db, ids, receiver)
        recovered_s = round(time.monotonic() - started, 1)
        await asyncio.sleep(3)  # room for a late duplicate
    finally:
        await cluster.stop()
        await receiver.stop()
    figures = {**await outcome(clean_db, ids, receiver, sandbox.midjourney_url),
               "kills (service, s)": kills, "all ended after s": recovered_s}
    figures["lost (not terminal)"] = sum(n for status, n in figures["statuses"].items()
                                         if status in ("pending", "processing"))
    print("\nFAULT sigkill-each-service", json.dumps(figures))
    assert_each_once(figures)
