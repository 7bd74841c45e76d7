"""A receiver per test, a notifier factory, and a listener for the `wowz.webhook.*` events."""

import asyncio

import pytest

from bus import topology
from bus.codec import from_message
from bus.publisher import Publisher
from consumers.notifier.service import Notifier
from schemas.events import Event
from tests.notifier.receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
async def publisher(amqp):
    publisher = await Publisher.open(amqp)
    yield publisher
    await publisher.close()


@pytest.fixture
async def start_notifier(clean_db, clean_bus):
    started: list[Notifier] = []

    async def start(*, allow_private_urls: bool = True, **options) -> Notifier:
        notifier = Notifier(clean_db, clean_bus, allow_private_urls=allow_private_urls,
                            **{"retry_delays_s": [1, 1, 1], "timeout_s": 2.0,
                               # no persister runs here: the rows never catch up
                               "persisted_wait_s": 0.05, **options})
        await notifier.start()
        started.append(notifier)
        return notifier

    yield start
    for notifier in started:
        await notifier.stop()


class Listener:
    def __init__(self):
        self.events: asyncio.Queue[Event] = asyncio.Queue()

    async def next(self, timeout_s: float = 10.0) -> Event:
        return await asyncio.wait_for(self.events.get(), timeout_s)


@pytest.fixture
async def webhook_events(amqp):
    """Every `wowz.webhook.*` event published from now on."""
    channel = await amqp.channel()
    queue = await topology.declare_listener(channel, ["webhook.#"])
    listener = Listener()

    async def on_message(message):
        await listener.events.put(from_message(message))
        await message.ack()

    await queue.consume(on_message)
    yield listener
    await channel.close()
