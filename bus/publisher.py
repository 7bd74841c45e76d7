"""Publishing: persistent messages, each confirmed by the broker before `publish` returns.
A publish the broker's absence interrupts waits for the robust connection to come back and is
sent again, so a broker restart delays work instead of losing it."""

import asyncio
import logging
import time
from typing import Any

from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractIncomingMessage,
    AbstractRobustChannel,
)
from aio_pika.exceptions import ChannelInvalidStateError

from bus import metrics, topology
from bus.codec import PERSISTENT, Properties, encode
from bus.provider_token import HEADER as PROVIDER_TOKEN
from schemas.events import Event

DEAD_REASON = "x-wowz-dead-reason"
DEAD_QUEUE = "x-wowz-dead-queue"
ATTEMPT = "x-wowz-attempt"
OUTAGE_WAIT_S = 120.0  # as long as the writes a worker cannot skip wait for Postgres
RETRY_PAUSES_S = (0.2, 2.0)  # first and longest pause between two tries
CONFIRM_TIMEOUT_S = 30.0  # a confirm this late is treated as lost: sent again
RESTORE_WAIT_S = 2.0  # for the robust connection to restore a channel after reconnecting

log = logging.getLogger("wowz.bus")


Encoded = tuple[bytes, Properties]  # a message's body and properties


class Publisher:
    def __init__(self, channel: AbstractChannel, *, connection: AbstractConnection | None = None,
                 outage_wait_s: float = OUTAGE_WAIT_S):
        self.channel = channel
        self.connection = connection
        self.outage_wait_s = outage_wait_s
        self._closed = False
        self._replacing = asyncio.Lock()

    @classmethod
    async def open(cls, connection: AbstractConnection, *,
                   outage_wait_s: float = OUTAGE_WAIT_S) -> "Publisher":
        return cls(await connection.channel(publisher_confirms=True), connection=connection,
                   outage_wait_s=outage_wait_s)

    def _may_come_back(self) -> bool:
        """A robust channel that nobody closed on purpose is reopened by its connection."""
        return (isinstance(self.channel, AbstractRobustChannel) and not self._closed
                and not (self.connection is not None and self.connection.close_called))

    async def _send(self, exchange_name: str, message: Encoded, routing_key: str) -> None:
        """Publish and await the confirm; while the connection is lost (the robust connection
        reconnects and restores the channel by itself), try again for up to `outage_wait_s`.
        A confirm lost with the connection does not say the broker dropped the message, so the
        copy sent again may be a duplicate: every consumer dedupes by event id."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.outage_wait_s
        pause = RETRY_PAUSES_S[0]
        while True:
            await self._restored()
            try:
                # aiormq's publish, as aio-pika's Exchange.publish calls it, minus the Message,
                # and without holding the channel until the socket drains (`wait`): publishes
                # in one loop turn go out together; the confirm is still awaited.
                if self.channel.is_closed:
                    raise ChannelInvalidStateError(f"{self.channel!r} closed")
                channel = await self.channel.get_underlay_channel()
                await channel.basic_publish(message[0], exchange=exchange_name,
                                            routing_key=routing_key, properties=message[1],
                                            mandatory=True, timeout=CONFIRM_TIMEOUT_S,
                                            wait=False)
                return
            except (ChannelInvalidStateError, ConnectionError, TimeoutError,
                    asyncio.CancelledError) as exc:
                if isinstance(exc, asyncio.CancelledError) and not cancelled_by_the_broker():
                    raise
                if loop.time() + pause > deadline or not self._may_come_back():
                    if isinstance(exc, ChannelInvalidStateError | ConnectionError):
                        raise
                    raise ConnectionError(f"publish not confirmed: {exc!r}") from exc
                log.warning("publish to %s interrupted (%r); sending again in %.1f s",
                            exchange_name or "the default exchange", exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_PAUSES_S[1])

    async def _restored(self) -> None:
        """Once the connection is back, a channel the robust connection did not restore (seen
        under load: aio-pika's restore raced the broker's shutdown) is replaced, or this
        publisher would refuse every publish from then on."""
        connection = self.connection
        if (not self.channel.is_closed or self._closed or connection is None
                or connection.is_closed or not getattr(connection, "connected", None)
                or not connection.connected.is_set()):
            return
        async with self._replacing:  # one new channel for the publishes that found it closed
            try:
                async with asyncio.timeout(RESTORE_WAIT_S):
                    await self.channel.ready()  # a robust channel being restored right now
            except (TimeoutError, AttributeError):
                pass
            if self.channel.is_closed:
                log.warning("publishing channel not restored after a reconnect; opening another")
                self.channel = await connection.channel(publisher_confirms=True)

    async def publish(self, event: Event, headers: dict[str, Any] | None = None) -> None:
        started = time.perf_counter()
        await self._send(topology.EVENTS, encode(event, headers), event.data.routing_key())
        metrics.PUBLISH_SECONDS.observe(time.perf_counter() - started)

    async def send(self, queue: str, event: Event, headers: dict[str, Any] | None = None) -> None:
        """Straight into one `queue` (the default exchange), e.g. a replay to the notifier
        alone, not to every service bound to the event."""
        await self._send("", encode(event, headers), queue)

    async def publish_many(self, events: list[Event]) -> None:
        """Pipelined: all sent, then all confirms awaited (5x the rate of one by one)."""
        await asyncio.gather(*(self.publish(e) for e in events))

    async def delay(self, message: AbstractIncomingMessage, *, queue: str, seconds: float,
                    attempt: int | None = None, counter: str = ATTEMPT) -> None:
        """Send a copy of `message` back to `queue` after about `seconds`, with `attempt` in
        the header `counter`."""
        headers = dict(message.headers or {})
        if attempt is not None:
            headers[counter] = attempt
        await self._send(topology.delay_name(topology.delay_step(seconds)),
                         _copy(message, headers), queue)

    async def dead_letter(self, message: AbstractIncomingMessage, *, queue: str,
                          reason: str) -> None:
        headers = {**(message.headers or {}), DEAD_REASON: reason[:2000], DEAD_QUEUE: queue}
        headers.pop(PROVIDER_TOKEN, None)  # dead letters are kept for days; the token is not
        await self._send(topology.DEAD, _copy(message, headers), queue)
        metrics.DEAD_LETTERS.labels(queue).inc()

    async def close(self) -> None:
        self._closed = True
        await self.channel.close()


def cancelled_by_the_broker() -> bool:
    """Whether a CancelledError just caught was not meant for this task: aiormq cancels the
    confirm and ack futures of a connection the broker closes. Letting it through would end a
    job's handler as if it had been cancelled, leaving its delivery in hand forever."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() == 0


def _copy(message: AbstractIncomingMessage, headers: dict[str, Any]) -> Encoded:
    return message.body, Properties(
        headers=headers, content_type=message.content_type, delivery_mode=PERSISTENT,
        message_id=message.message_id, message_type=message.type, app_id=message.app_id,
        timestamp=message.timestamp)
