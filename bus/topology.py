"""The whole topology in one place: exchanges, queues, bindings, dead letters and delays.

- `wowz.events` (topic): every event, routing key `job.<type>.<provider>`, `webhook.*`,
  `account.health.<provider>`, `account.control.<provider>`.
- One durable quorum queue per consuming service, dead-lettering to `wowz.dead`.
- `wowz.dead` (topic) -> queue `wowz.dead`: what could not be handled, with the reason in the
  `x-wowz-dead-reason` header (our own) or `x-first-death-reason` (RabbitMQ's, e.g. delivery
  limit).
- Delays without a sleep in a handler: exchange `wowz.delay.<n>s` (fanout) -> queue with a TTL of
  n seconds whose dead-letter exchange is the default one, so a message published there with
  routing key = a queue name comes back to that queue after n seconds.
"""

import aio_pika
from aio_pika.abc import AbstractChannel, ExchangeType

EVENTS = "wowz.events"
DEAD = "wowz.dead"
DEAD_QUEUE = "wowz.dead"
PERSISTER_QUEUE = "wowz.persister"
NOTIFIER_QUEUE = "wowz.notifier"
DELAY_STEPS_S = (1, 5, 30, 120, 600, 1800, 7200, 21600)
DELIVERY_LIMIT = 10

QUORUM = {"x-queue-type": "quorum", "x-dead-letter-exchange": DEAD,
          "x-delivery-limit": DELIVERY_LIMIT}


def provider_queue(provider: str) -> str:
    return f"wowz.provider.{provider}"


def delay_name(seconds: int) -> str:
    return f"wowz.delay.{seconds}s"


def delay_step(seconds: float) -> int:
    """The shortest delay step that waits at least `seconds` (the longest if none does)."""
    return next((s for s in DELAY_STEPS_S if s >= seconds), DELAY_STEPS_S[-1])


def service_queues(providers: list[str]) -> dict[str, list[str]]:
    """Queue name -> the routing keys bound to it."""
    queues = {provider_queue(p): [f"job.requested.{p}"] for p in providers}
    queues[PERSISTER_QUEUE] = ["job.#"]
    queues[NOTIFIER_QUEUE] = ["job.started.#", "job.progress.#", "job.completed.#",
                              "job.failed.#"]
    return queues


async def declare(channel: AbstractChannel, providers: list[str]) -> None:
    """Declare everything; idempotent, so every service runs it at start."""
    events = await channel.declare_exchange(EVENTS, ExchangeType.TOPIC, durable=True)
    dead = await channel.declare_exchange(DEAD, ExchangeType.TOPIC, durable=True)
    dead_queue = await channel.declare_queue(
        DEAD_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    await dead_queue.bind(dead, "#")
    for name, keys in service_queues(providers).items():
        queue = await channel.declare_queue(name, durable=True, arguments=QUORUM)
        for key in keys:
            await queue.bind(events, key)
    for seconds in DELAY_STEPS_S:
        exchange = await channel.declare_exchange(
            delay_name(seconds), ExchangeType.FANOUT, durable=True)
        queue = await channel.declare_queue(delay_name(seconds), durable=True, arguments={
            "x-message-ttl": seconds * 1000, "x-dead-letter-exchange": ""})
        await queue.bind(exchange)


async def service_queue(channel: AbstractChannel, name: str) -> aio_pika.abc.AbstractQueue:
    """A service queue to consume from, declared on the consumer's own channel (idempotent, the
    same arguments as `declare`): after a broker restart the robust channel re-declares what was
    declared on it and restarts those queues' consumers; a queue only named
    (`get_queue(ensure=False)`) is not restored, and its consumer silently never comes back."""
    return await channel.declare_queue(name, durable=True, arguments=QUORUM)


async def declare_listener(channel: AbstractChannel, keys: list[str]) -> aio_pika.abc.AbstractQueue:
    """A private, auto-deleted queue for one process that wants to hear events live
    (cancel requests, server-sent events)."""
    events = await channel.get_exchange(EVENTS)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    for key in keys:
        await queue.bind(events, key)
    return queue
