"""Midjourney browser: PSS of one account's Chromium with 1, 5 and 10 concurrent jobs, and the
status requests per minute it makes for 10 concurrent jobs.

One account, one browser session, against the stand-in in this process. Each job is what the
adapter does on the wire: submit, wait through the shared status poller, download its four
images through the session (storage left out: it is not the browser's memory). PSS is summed
over every process started with the account's --user-data-dir, sampled every 0.25 s; the
figure is the peak while the jobs run.

    .venv/bin/python -m benchmarks.midjourney_browser --generation-s 20
"""

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx

from consumers.midjourney import wire
from consumers.midjourney.service import adapter_factory
from consumers.providers.accounts import Account
from consumers.providers.browser import BrowserConfig
from consumers.providers.memory import chromium_pids, profile_pss
from sandbox.server import start_sandbox
from wowz.settings import Settings

MIB = 2**20


async def one_job(adapter, n: int) -> None:
    body = wire.imagine_body(prompt=f"benchmark cat {n} --ar 1:1", user_id=adapter.user_id,
                             mode="fast", private=False)
    job_id = wire.parse_submit(await adapter._call(wire.SUBMIT, body)).job_id
    status = await adapter.poller.wait(job_id, lambda _percent: asyncio.sleep(0))
    await asyncio.gather(*(adapter.session.download(wire.image_url(adapter.cdn_url, job_id, i))
                           for i in range(status.batch_size)))


async def peak_pss(adapter, jobs: int) -> tuple[int, float]:
    samples = [profile_pss(adapter.session.profile_dir)]
    started = time.monotonic()
    work = asyncio.gather(*(one_job(adapter, n) for n in range(jobs)))
    while not work.done():
        samples.append(await asyncio.to_thread(profile_pss, adapter.session.profile_dir))
        await asyncio.sleep(0.25)
    await work
    return max(samples), time.monotonic() - started


async def main(generation_s: float, image_size: int) -> None:
    settings = Settings()
    async with await start_sandbox(generation_s=generation_s, image_size=image_size) as box:
        async with httpx.AsyncClient(base_url=box.midjourney_url) as client:
            created = (await client.post("/_sandbox/accounts",
                                         json={"account_id": "bench"})).json()
        with tempfile.TemporaryDirectory() as tmp:
            cookies = Path(tmp) / "cookies.json"
            cookies.write_text(json.dumps(created["cookies"]))
            account = Account(id="bench", provider="midjourney", credentials=cookies,
                              user_id=created["user_id"], concurrency=10)
            build = adapter_factory(
                browser=BrowserConfig(executable=settings.browser.chromium_path,
                                      args=settings.browser.chromium_args),
                profiles_dir=Path(tmp) / "profiles", web_url=box.midjourney_url,
                cdn_url=box.cdn_url, bucket="bench", poll_interval_s=1.0, poll_fast_s=0.1)
            adapter = build(account)
            await adapter.check_health()
            idle = profile_pss(adapter.session.profile_dir)
            processes = len(chromium_pids(adapter.session.profile_dir))
            print(f"idle browser: {idle / MIB:.1f} MiB PSS ({processes} processes)")
            peaks = {}
            for jobs in (1, 5, 10):
                async with httpx.AsyncClient(base_url=box.midjourney_url) as client:
                    await client.post("/_sandbox/reset")
                peak, elapsed = await peak_pss(adapter, jobs)
                async with httpx.AsyncClient(base_url=box.midjourney_url) as client:
                    stats = (await client.get("/_sandbox/stats")).json()
                peaks[jobs] = peak
                per_min = stats["status_requests"] / elapsed * 60
                print(f"{jobs:>2} concurrent jobs: peak {peak / MIB:.1f} MiB PSS, "
                      f"{elapsed:.1f} s, {stats['status_requests']} status requests "
                      f"({per_min:.1f}/min)")
            print(f"per extra job 1->10: {(peaks[10] - peaks[1]) / 9 / MIB:.2f} MiB")
            await adapter.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generation-s", type=float, default=20.0)
    parser.add_argument("--image-size", type=int, default=1024)
    args = parser.parse_args()
    asyncio.run(main(args.generation_s, args.image_size))
