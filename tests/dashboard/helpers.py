"""Making dead letters as the services do, and reading the queues they go back to; provider
accounts as their services report them."""

import aio_pika

from bus.codec import to_message
from bus.publisher import Publisher
from schemas.events import Event, JobRequested
from store.accounts import save_account

ACCOUNTS = [
    {"id": "mj-1", "provider": "midjourney", "healthy": True, "reason": None,
     "since": "2026-11-24T10:00:00+00:00", "running": 2, "jobs_today": 14, "concurrency": 3,
     "mode": "fast", "enabled": True, "daily_cap": 200},
    {"id": "mj-2", "provider": "midjourney", "healthy": False, "reason": "auth_expired",
     "since": "2026-11-24T11:00:00+00:00", "running": 0, "jobs_today": 3, "concurrency": 3,
     "mode": "relax", "enabled": True, "daily_cap": None},
]


async def report_accounts(pool, *more: dict) -> None:
    """The accounts table holds ACCOUNTS (and `more`), as their service wrote them."""
    await pool.execute("delete from accounts")
    for view in [*ACCOUNTS, *more]:
        await save_account(pool, view)


async def dead_letter(connection, *, reason: str, job_id: str = "job-1",
                      queue: str | None = None) -> str:
    """Dead-letter a JobRequested as a service does (Publisher.dead_letter on a message it
    took from its queue, `queue` or a new one that outlives the channel); returns the queue's
    name."""
    channel = await connection.channel()
    origin = await channel.declare_queue(queue, passive=queue is not None)
    event = Event.of(JobRequested(job_id=job_id, provider="midjourney", action="imagine",
                                  input={"prompt": "a cat"}))
    await channel.default_exchange.publish(to_message(event), routing_key=origin.name)
    message = None
    while message is None:
        message = await origin.get(no_ack=False, fail=False)
    publisher = await Publisher.open(connection)
    await publisher.dead_letter(message, queue=origin.name, reason=reason)
    await message.ack()
    await publisher.close()
    await channel.close()
    return origin.name


async def take(connection, queue_name: str, message_id: str | None = None,
               ) -> aio_pika.abc.AbstractIncomingMessage | None:
    """Remove and return the first message of the queue (with `message_id`, if given; the
    others stay)."""
    channel = await connection.channel()
    queue = await channel.declare_queue(queue_name, passive=True)
    try:
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            if message_id in (None, message.message_id):
                await message.ack()
                return message
        return None
    finally:
        await channel.close()  # what was not acked goes back


async def drop(connection, queue_name: str) -> None:
    channel = await connection.channel()
    await channel.queue_delete(queue_name)
    await channel.close()
