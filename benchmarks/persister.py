"""How fast the persister stores job events, next to how fast this machine can merely consume
and ack the same messages with aio-pika.

    .venv/bin/python -m benchmarks.persister --events 20000

Uses its own vhost and database (created when missing; the queues are declared fresh and the
tables emptied), publishes a realistic mix per job (requested, started, progress x3, completed;
one job in four for a product_design row), then measures on a full queue:
(a) baseline: a raw aio-pika consumer acking each message, same prefetch;
(b) the Persister, until the jobs table shows every job completed and every event logged."""

import argparse
import asyncio
import shutil
import subprocess
import time
import uuid

import aio_pika

from bus import topology
from bus.publisher import Publisher
from consumers.persister import Persister
from schemas.events import (
    Event,
    JobCompleted,
    JobProgress,
    JobRequested,
    JobStarted,
)
from schemas.jobs import Image, JobOutput
from store import db

EVENTS_PER_JOB = 6
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/wowz_bench_persister"
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wowz_bench_persister"


def job_events(job_id: str, with_design: bool) -> list[Event]:
    common = {"job_id": job_id, "provider": "midjourney"}
    metadata = {"design_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4())} if with_design \
        else {"source": "benchmark"}
    return [Event.of(d) for d in (
        JobRequested(**common, action="imagine", metadata=metadata,
                     input={"prompt": "a cat in a teapot, sticker --ar 4:3 --stylize 150"}),
        JobStarted(**common, seq=1_000_001, account_id="mj-bench", attempt=1),
        *(JobProgress(**common, seq=1_000_002 + i, percent=p, stage="running",
                      provider_job_id=f"mj-{job_id}") for i, p in enumerate((0, 45, 90))),
        JobCompleted(**common, seq=1_000_005, provider_job_id=f"mj-{job_id}",
                     account_id="mj-bench", output=JobOutput(images=[
                         Image(url=f"https://storage.example/{job_id}/{i}.png", width=1024,
                               height=1024, index=i) for i in range(4)])))]


def workload(jobs: int) -> list[Event]:
    """Jobs interleaved as a busy platform would publish them: the k-th event of every job in
    a window of 50 before the (k+1)-th."""
    events = []
    for start in range(0, jobs, 50):
        window = [job_events(str(uuid.uuid4()), (start + i) % 4 == 0)
                  for i in range(min(50, jobs - start))]
        for k in range(EVENTS_PER_JOB):
            events += [per_job[k] for per_job in window]
    return events


async def connect(amqp_url: str) -> aio_pika.abc.AbstractRobustConnection:
    try:
        return await aio_pika.connect_robust(amqp_url)
    except (OSError, aio_pika.exceptions.AMQPError):
        if not shutil.which("rabbitmqctl"):
            raise
        await asyncio.to_thread(add_vhost, amqp_url.rsplit("/", 1)[-1])
        return await aio_pika.connect_robust(amqp_url)


def add_vhost(vhost: str) -> None:
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], capture_output=True, check=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                   capture_output=True, check=True)


async def fresh_queues(connection) -> None:
    channel = await connection.channel()
    for name in [*topology.service_queues([]), topology.DEAD_QUEUE]:
        await channel.queue_delete(name)
    await topology.declare(channel, [])
    await channel.close()


async def publish(connection, events: list[Event]) -> float:
    publisher = await Publisher.open(connection)
    started = time.monotonic()
    for i in range(0, len(events), 1000):
        await publisher.publish_many(events[i:i + 1000])
    await publisher.close()
    return len(events) / (time.monotonic() - started)


async def baseline(connection, count: int, prefetch: int, timeout_s: float) -> float:
    """Consume and ack `count` messages, one ack each, doing nothing else."""
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue(topology.PERSISTER_QUEUE)
    done, seen = asyncio.Event(), 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal seen
        await message.ack()
        seen += 1
        if seen == count:
            done.set()

    started = time.monotonic()
    await queue.consume(on_message)
    await asyncio.wait_for(done.wait(), timeout_s)
    elapsed = time.monotonic() - started
    await channel.close()
    return count / elapsed


async def persisted(pool, connection, count: int, jobs: int, timeout_s: float,
                    **options) -> float:
    persister = Persister(pool, connection, **options)
    started = time.monotonic()
    await persister.start()
    while await pool.fetchval(
            "select (select count(*) from jobs where status = 'completed') = $1 "
            "and (select count(*) from job_events) = $2", jobs, count) is not True:
        if time.monotonic() - started > timeout_s:
            raise SystemExit(f"not all written within {timeout_s} s")
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - started
    await persister.stop()
    return count / elapsed


async def main(args: argparse.Namespace) -> None:
    jobs = args.events // EVENTS_PER_JOB
    events = workload(jobs)
    await db.migrate(args.db)
    pool = await db.create_pool(args.db, max_size=4)
    await pool.execute("truncate jobs, job_events, product_design")
    connection = await connect(args.amqp)
    await fresh_queues(connection)

    publish_rate = await publish(connection, events)
    raw = await baseline(connection, len(events), args.prefetch, args.timeout_s)
    await publish(connection, events)
    stored = await persisted(pool, connection, len(events), jobs, args.timeout_s,
                             batch_size=args.batch_size,
                             max_wait_s=args.max_wait_s, prefetch=args.prefetch)
    designs = await pool.fetchval("select count(*) from product_design")
    await fresh_queues(connection)  # the notifier's copies are not wanted here
    await connection.close()
    await pool.close()

    print(f"{len(events)} events, {jobs} jobs ({designs} with a product_design row); "
          f"batch_size {args.batch_size}, max_wait_s {args.max_wait_s}, prefetch {args.prefetch}")
    print(f"publish (confirmed, pipelined)   {publish_rate:9,.0f} events/s")
    print(f"(a) aio-pika consume + ack       {raw:9,.0f} events/s")
    print(f"(b) persister into Postgres      {stored:9,.0f} events/s")
    print(f"ratio (b)/(a)                    {stored / raw:9.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--max-wait-s", type=float, default=0.05)
    parser.add_argument("--prefetch", type=int, default=1000)
    parser.add_argument("--amqp", default=AMQP_URL)
    parser.add_argument("--db", default=DATABASE_URL)
    parser.add_argument("--timeout-s", type=float, default=300.0)
    asyncio.run(main(parser.parse_args()))
