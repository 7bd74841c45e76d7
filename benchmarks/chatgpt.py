"""ChatGPT remix_design: the platform's own time per job beyond the stand-in's answer, and the
memory of the account's browser after 1 job and after N.

One ChatGPT account (a profile logged in to the stand-in) served by the provider service in this
process; jobs are published one after the other, each with a prompt and an image URL. Per job:
from publishing `wowz.job.requested` to receiving `wowz.job.completed`, minus the time the
stand-in spent answering (message received -> `[DONE]`, which it measures). What is left is
ours: the bus both ways, fetching the user's image, the page (navigation, attaching, typing,
sending), reading the stream, downloading the generated image through the session and storing it.
Memory is the PSS of the profile's Chromium (browser process and all its children).

    .venv/bin/python -m benchmarks.chatgpt --jobs 50 --answer-s 2
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aio_pika
import httpx

from bus import topology
from bus.publisher import Publisher
from schemas.inputs import PROVIDERS
from store import db
from tests.chatgpt.helpers import (
    Events,
    ImageOrigin,
    chromium_pids,
    ended,
    job,
    logged_in_account,
    start_service,
)
from tests.conftest import TEST_AMQP, TEST_DB
from wowz.settings import Settings


def pss_kb(root: int) -> int:
    """PSS of a process and its descendants (Chromium's renderers, GPU and utility processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


async def main(jobs: int, answer_s: float) -> None:
    from sandbox.chatgpt.state import ChatGPTConfig
    from sandbox.server import start_sandbox

    settings = Settings()
    tmp = Path(tempfile.mkdtemp(prefix="wowz-bench-chatgpt-"))
    box = await start_sandbox(chatgpt=ChatGPTConfig(answer_s=answer_s, images_per_answer=1,
                                                    image_size=512))
    await db.migrate(TEST_DB)
    pool = await db.create_pool(TEST_DB, max_size=5)
    amqp = await aio_pika.connect_robust(TEST_AMQP)
    channel = await amqp.channel()
    await topology.declare(channel, PROVIDERS)
    events = Events(await topology.declare_listener(channel, ["job.#.chatgpt"]))
    publisher = await Publisher.open(amqp)
    account = await logged_in_account(settings, box, "gpt-bench", tmp)
    service = await start_service(settings, box, pool, amqp, [account], tmp)
    overheads, memory = [], {}
    try:
        async with ImageOrigin() as images, httpx.AsyncClient(base_url=box.chatgpt_url) as control:
            for n in range(1, jobs + 1):
                before = (await control.get("/_sandbox/stats")).json()["answers_s"]
                remix = job("remix_design", prompt=f"bench {n}", image_url=f"{images.url}/design.png")
                started = time.perf_counter()
                await publisher.publish(remix)
                await events.until(ended(remix, "wowz.job.completed"), timeout=60)
                took = time.perf_counter() - started
                answered = (await control.get("/_sandbox/stats")).json()["answers_s"] - before
                overheads.append(took - answered)
                if n in (1, jobs):
                    [pid] = chromium_pids(tmp / "profiles" / "gpt-bench")
                    memory[n] = pss_kb(pid)
    finally:
        await service.stop()
        await publisher.close()
        await channel.close()
        await amqp.close()
        await pool.close()
        await box.stop()
    ordered = sorted(overheads)
    print(f"jobs {jobs}, stand-in answer {answer_s:g} s (+ rendering one 512 px image)")
    print(f"overhead per job: median {statistics.median(ordered):.3f} s, "
          f"p90 {ordered[int(0.9 * (len(ordered) - 1))]:.3f} s, max {ordered[-1]:.3f} s, "
          f"first {overheads[0]:.3f} s")
    growth = (memory[jobs] - memory[1]) / memory[1] * 100
    print(f"browser PSS: after 1 job {memory[1] / 1024:.1f} MiB, after {jobs} "
          f"{memory[jobs] / 1024:.1f} MiB ({growth:+.1f} %)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--answer-s", type=float, default=2.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.jobs, arguments.answer_s))
