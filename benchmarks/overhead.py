"""Platform overhead: from the Midjourney stand-in marking a job done to the signed webhook
arriving at the client, images downloaded and stored included.

Runs the whole platform in this process (as `wowz up` does) against the stand-in (in its own
process, as a provider is), submits N jobs over HTTP with a webhook, and for each job takes the
webhook's arrival time (wall clock, the receiver in this process) minus the stand-in's `done_at`
(wall clock, same machine). Phases: `seen` done -> the adapter noticed, `stored` -> four images
downloaded and stored and `completed` published, `notified` -> the webhook arrived.

    .venv/bin/python -m benchmarks.overhead --jobs 200 --rate 4
"""

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import httpx

from store import keys
from tests.conftest import ensure_vhost, sandbox_account
from tests.e2e.conftest import free_port
from tests.e2e.receiver import Receiver


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def wait_until_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                await client.get(f"{url}/_sandbox/stats")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"the stand-in did not start at {url}")


async def main(jobs: int, accounts: int, concurrency: int, generation_s: float,
               rate: float) -> None:
    # Its own database and vhost: nothing else may consume these jobs meanwhile.
    os.environ.setdefault("WOWZ_DATABASE_URL",
                          "postgresql://postgres@127.0.0.1:5432/wowz_bench_overhead")
    os.environ.setdefault("WOWZ_AMQP_URL",
                          "amqp://guest:guest@127.0.0.1:5672/wowz_bench_overhead")
    ensure_vhost(os.environ["WOWZ_AMQP_URL"])
    os.environ["WOWZ_ALLOW_PRIVATE_URLS"] = "true"
    from wowz.platform import SERVICES, Platform
    from wowz.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="wowz-bench-"))
    web_port, cdn_port = free_port(), free_port()
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "--midjourney-port", str(web_port), "--cdn-port",
        str(cdn_port), "--generation-s", str(generation_s), "--image-size", "512",
        stdout=asyncio.subprocess.DEVNULL)
    box = SimpleNamespace(midjourney_url=f"http://127.0.0.1:{web_port}",
                          cdn_url=f"http://127.0.0.1:{cdn_port}")
    await wait_until_up(box.midjourney_url)
    receiver = await Receiver().start()
    settings = Settings()
    settings.providers.midjourney_url, settings.providers.midjourney_cdn_url = (
        box.midjourney_url, box.cdn_url)
    settings.store.storage_dir = tmp / "storage"
    settings.browser.profiles_dir = tmp / "profiles"
    settings.http.port = free_port()
    settings.http.public_url = f"http://127.0.0.1:{settings.http.port}"
    pool_accounts = [await sandbox_account(box, f"mj-bench-{n}", tmp, concurrency=concurrency)
                     for n in range(accounts)]
    platform = Platform(settings, list(SERVICES), pool_accounts)
    await platform.start()
    try:
        await platform.pool.execute("truncate jobs, job_events, job_runs, webhook_deliveries")
        key = await keys.create_key(platform.pool, name="bench")
        async with httpx.AsyncClient(base_url=settings.http.public_url, timeout=60, headers={
                "Authorization": f"Bearer {key.api_key}"}) as client:
            ids = []
            for n in range(jobs):
                response = await client.post("/v1/jobs", json={
                    "provider": "midjourney", "action": "imagine",
                    "input": {"prompt": f"overhead {n}"},
                    "webhook": {"url": f"{receiver.url}/hook/{n}"}})
                ids.append(response.raise_for_status().json()["id"])
                await asyncio.sleep(1 / rate)  # a steady stream, not one burst
            await receiver.wait_for(jobs, timeout=jobs * generation_s + 120)
            arrivals = {r["path"].rsplit("/", 1)[1]: r["wall"] for r in receiver.requests}
            overheads, phases = [], {"seen": [], "stored": [], "notified": []}
            for n, job_id in enumerate(ids):
                job = (await client.get(f"/v1/jobs/{job_id}")).json()
                stand_in = (await client.get(
                    f"{box.midjourney_url}/_sandbox/jobs/{job['provider_job_id']}")).json()
                if "done_at" not in stand_in:
                    raise RuntimeError(f"job {job} unknown to the stand-in: {stand_in}")
                done_at = stand_in["done_at"]
                overheads.append((arrivals[str(n)] - done_at) * 1000)
                times = {r["stage"] or r["type"]: r["time"].timestamp() for r in
                         await platform.pool.fetch(
                             "select type, data->>'stage' as stage, time from job_events "
                             "where job_id = $1", job_id)}
                phases["seen"].append((times["storing"] - done_at) * 1000)
                phases["stored"].append((times["wowz.job.completed"] - times["storing"]) * 1000)
                phases["notified"].append((arrivals[str(n)] - times["wowz.job.completed"]) * 1000)
    finally:
        await platform.stop()
        await receiver.stop()
        sandbox.terminate()
        await sandbox.wait()
    print(f"jobs={jobs} accounts={accounts} concurrency={concurrency} "
          f"generation_s={generation_s} rate={rate}/s")
    print(f"overhead ms: p50={percentile(overheads, 50):.0f} p90={percentile(overheads, 90):.0f} "
          f"p99={percentile(overheads, 99):.0f} max={max(overheads):.0f} "
          f"mean={statistics.mean(overheads):.0f}")
    for name, values in phases.items():
        print(f"  {name:9s} p50={percentile(values, 50):.0f} p99={percentile(values, 99):.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--generation-s", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=4.0, help="jobs submitted per second")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.jobs, args.accounts, args.concurrency, args.generation_s,
                     args.rate))
