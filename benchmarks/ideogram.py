"""Ideogram remix throughput on one account: jobs per minute at a given account concurrency,
with zero generation time, so what is measured is the platform's own cost per remix (fetch the
user's image, upload, caption, sample, follow, download and store each image, persist, notify).

The whole platform runs in this process (as `wowz up` does); the stand-in runs in a child
process (as a provider is elsewhere). N remixes are posted over HTTP at once, each with a
webhook; the rate is N over the time from the first post to the last webhook.

    .venv/bin/python -m benchmarks.ideogram --jobs 60 --concurrency 1 4 8
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from consumers.providers.accounts import Account
from store import keys
from tests.conftest import ensure_vhost
from tests.e2e.conftest import free_port
from tests.e2e.receiver import Receiver

STAND_IN = """
import asyncio, json, sys
from sandbox.server import start_sandbox
from sandbox.ideogram.state import IdeogramConfig
from tests.ideogram.helpers import image_app

async def main():
    box = await start_sandbox(ideogram=IdeogramConfig(generation_s=0.0, image_size=512))
    images = await box.serve("user_images", image_app(), 0)
    print(json.dumps({"web": box.ideogram_url, "tokens": box.ideogram_token_url,
                      "images": images}), flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def one_run(settings, urls: dict, concurrency: int, jobs: int, images: int) -> float:
    from wowz.platform import Platform

    async with httpx.AsyncClient(base_url=urls["web"]) as control:
        account_id = f"ideo-bench-{concurrency}"
        created = (await control.post("/_sandbox/accounts",
                                      json={"account_id": account_id})).json()
    account = Account(id=account_id, provider="ideogram", user_id=created["user_id"],
                      token_url=f"{urls['tokens']}/token/{account_id}", concurrency=concurrency)
    receiver = await Receiver().start()
    platform = Platform(settings, ["ingress", "persister", "notifier", "ideogram"], [account])
    await platform.start()
    try:
        await platform.pool.execute("truncate jobs, job_events, job_runs, webhook_deliveries")
        key = await keys.create_key(platform.pool, name="bench")
        async with httpx.AsyncClient(base_url=settings.http.public_url, timeout=60, headers={
                "Authorization": f"Bearer {key.api_key}"}) as client:
            started = time.monotonic()
            for n in range(jobs):
                (await client.post("/v1/jobs", json={
                    "provider": "ideogram", "action": "remix",
                    "input": {"image_url": f"{urls['images']}/fox.png", "num_images": images},
                    "webhook": {"url": f"{receiver.url}/hook/{n}"}})).raise_for_status()
            await receiver.wait_for(jobs, timeout=jobs * 10 + 60)
            elapsed = time.monotonic() - started
            statuses = await platform.pool.fetch("select status, count(*) from jobs group by 1")
    finally:
        await platform.stop()
        await receiver.stop()
    if {r["status"] for r in statuses} != {"completed"}:
        raise RuntimeError(f"not every job completed: {[dict(r) for r in statuses]}")
    return jobs / elapsed * 60


async def main(jobs: int, levels: list[int], images: int) -> None:
    # Its own database and vhost: nothing else may consume these jobs meanwhile.
    os.environ.setdefault("WOWZ_DATABASE_URL",
                          "postgresql://postgres@127.0.0.1:5432/wowz_bench_ideogram")
    os.environ.setdefault("WOWZ_AMQP_URL",
                          "amqp://guest:guest@127.0.0.1:5672/wowz_bench_ideogram")
    ensure_vhost(os.environ["WOWZ_AMQP_URL"])
    os.environ["WOWZ_ALLOW_PRIVATE_URLS"] = "true"
    from wowz.settings import Settings

    stand_in = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STAND_IN, stdout=asyncio.subprocess.PIPE)
    urls = json.loads(await stand_in.stdout.readline())
    tmp = Path(tempfile.mkdtemp(prefix="wowz-bench-"))
    try:
        for concurrency in levels:
            settings = Settings()
            settings.providers.ideogram_url = urls["web"]
            settings.store.storage_dir = tmp / "storage"
            settings.browser.profiles_dir = tmp / "profiles"
            settings.http.port = free_port()
            settings.http.public_url = f"http://127.0.0.1:{settings.http.port}"
            rate = await one_run(settings, urls, concurrency, jobs, images)
            print(f"concurrency={concurrency} jobs={jobs} images/job={images}: "
                  f"{rate:.0f} remixes/min ({60 / rate:.2f} s each)", flush=True)
    finally:
        stand_in.terminate()
        await stand_in.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--images", type=int, default=4, help="num_images of each remix")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.jobs, args.concurrency, args.images))
