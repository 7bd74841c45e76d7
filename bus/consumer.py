"""Consuming with explicit outcomes: a handler returns (ack) or raises one of the outcomes
below; a message that does not decode is dead-lettered with the reason and the consumer goes on."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from aio_pika.exceptions import ChannelClosed, ChannelInvalidStateError
from pydantic import ValidationError

from bus import topology
from bus.codec import from_message
from bus.publisher import ATTEMPT, Publisher, cancelled_by_the_broker
from schemas.events import Event

log = logging.getLogger("wowz.bus")

Handler = Callable[[Event, AbstractIncomingMessage], Awaitable[None]]
UNEXPECTED_DELAYS_S = (1, 5, 30, 30, 120, 600)
CANCEL_WAIT_S = 5.0  # a cancel waits for a broker that is away; a stopping service does not


class Reject(Exception):
    """Dead-letter the message with this reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Retry(Exception):
    """Send the message back to its queue after `delay_s`, counting the attempt (in the header
    `counter`: another than the attempt's keeps a kind of wait from using up the attempts)."""

    def __init__(self, delay_s: float, reason: str = "", *, counter: str = ATTEMPT):
        super().__init__(reason)
        self.delay_s = delay_s
        self.reason = reason
        self.counter = counter


class Requeue(Exception):
    """Put the message back for another consumer (e.g. this account is unhealthy)."""


def attempt_of(message: AbstractIncomingMessage) -> int:
    return count_of(message, ATTEMPT)


def count_of(message: AbstractIncomingMessage, counter: str) -> int:
    return int((message.headers or {}).get(counter, 0))


def decode(message: AbstractIncomingMessage) -> Event:
    """from_message with one error type, ValueError, whose text names the field."""
    try:
        return from_message(message)
    except ValidationError as exc:
        raise ValueError("; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
        )) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None


async def settle(message: AbstractIncomingMessage, outcome: BaseException | None, *,
                 queue: str, publisher: Publisher,
                 unexpected_delays_s: tuple[float, ...] = UNEXPECTED_DELAYS_S) -> None:
    """Apply a handler's outcome to its message."""
    if outcome is None:
        await ack(message)
    elif isinstance(outcome, Reject):
        await publisher.dead_letter(message, queue=queue, reason=outcome.reason)
        await ack(message)
    elif isinstance(outcome, Retry):
        await publisher.delay(message, queue=queue, seconds=outcome.delay_s,
                              attempt=count_of(message, outcome.counter) + 1,
                              counter=outcome.counter)
        await ack(message)
    elif isinstance(outcome, Requeue):
        # Through a 1 s delay rather than nack-requeue: a requeue would count toward the quorum
        # delivery limit (a job bounced by paused accounts must not be dead-lettered for it),
        # and could come straight back to the consumer that refused it.
        await publisher.delay(message, queue=queue, seconds=1, attempt=attempt_of(message) + 1)
        await ack(message)
    else:
        # Unexpected (a database away, a bug): try again later, waiting longer each time, so a
        # passing outage loses nothing and a poison message does not spin; give up into the
        # dead-letter queue with the error after the last step.
        attempt = attempt_of(message)
        log.error("handler failed on %s (attempt %d): %r", message.message_id, attempt + 1,
                  outcome, exc_info=outcome)
        if attempt < len(unexpected_delays_s):
            await publisher.delay(message, queue=queue, seconds=unexpected_delays_s[attempt],
                                  attempt=attempt + 1)
        else:
            await publisher.dead_letter(message, queue=queue, reason=(
                f"failed {attempt + 1} times; last: {type(outcome).__name__}: {outcome}"))
        await ack(message)


async def ack(message: AbstractIncomingMessage, *, multiple: bool = False) -> bool:
    """Ack; False when the channel the message came on is gone (the broker restarted): the
    broker has put it back and delivers it again, and every handler is idempotent, so that
    copy changes nothing."""
    try:
        await message.ack(multiple=multiple)
    except (ChannelInvalidStateError, ChannelClosed, ConnectionError, asyncio.CancelledError) as exc:
        # The connection closed while the ack was on its way (the broker is shutting down): it
        # cannot say whether the broker got it.
        if isinstance(exc, asyncio.CancelledError) and not cancelled_by_the_broker():
            raise
        log.info("not acked, its channel is gone; the broker redelivers %s", message.message_id)
        return False
    return True


def unsettled(message: AbstractIncomingMessage) -> bool:
    """Neither acked nor rejected yet, and it still can be: a delivery whose channel the broker
    closed (a restart) will be redelivered, there is nothing left to wait for."""
    if message.processed:
        return False
    try:
        return not message.channel.is_closed
    except ChannelInvalidStateError:
        return False


@dataclass
class Subscription:
    """A consumer on a service queue. Cancelled through the queue object that started it, so
    that a robust channel forgets it too: cancelled through another handle to the same queue,
    it would be restarted after the next reconnect (on an account that was paused)."""

    queue: AbstractQueue
    tag: str

    async def cancel(self) -> None:
        try:
            async with asyncio.timeout(CANCEL_WAIT_S):
                await self.queue.cancel(self.tag)
        except (ChannelInvalidStateError, ConnectionError, TimeoutError):
            pass  # the broker is away: the consumer went with the channel and is not restored


async def subscribe(channel: AbstractChannel, queue: str,
                    callback: Callable[[AbstractIncomingMessage], Awaitable[Any]]
                    ) -> Subscription:
    amqp_queue = await topology.service_queue(channel, queue)
    return Subscription(amqp_queue, await amqp_queue.consume(callback))


# The messages this process is handling, by (queue, message id). A second copy of one of them
# (published twice) waits for the first to be settled and is then acked, instead of running the
# job a second time beside it. A broker restart leaves no first copy running: aiormq cancels the
# handlers of a connection the broker closed, so their redelivered copies do the work.
_IN_HAND: dict[tuple[str, str], asyncio.Future[bool]] = {}

Undecodable = Callable[[AbstractIncomingMessage, str], Awaitable[None]]


async def consume(channel: AbstractChannel, queue: str, handler: Handler, *,
                  publisher: Publisher, prefetch: int,
                  on_undecodable: Undecodable | None = None,
                  unexpected_delays_s: tuple[float, ...] = UNEXPECTED_DELAYS_S) -> Subscription:
    """Start consuming `queue` on `channel` (which gets `prefetch`).
    `on_undecodable` hears of a message about to be dead-lettered for not decoding (a provider
    consumer then tells the job's client why)."""
    await channel.set_qos(prefetch_count=prefetch)

    async def on_message(message: AbstractIncomingMessage) -> None:
        key = (queue, message.message_id or "")
        first = _IN_HAND.get(key) if message.message_id else None
        if first is not None and await asyncio.shield(first):
            log.info("second copy of %s on %s, settled by the first", message.message_id, queue)
            await ack(message)
            return
        settled = asyncio.get_running_loop().create_future()
        if message.message_id:
            _IN_HAND[key] = settled
        try:
            await handle(message)
            settled.set_result(True)
        finally:
            if not settled.done():
                settled.set_result(False)  # not settled: a copy must do the work
            if _IN_HAND.get(key) is settled:
                del _IN_HAND[key]

    async def handle(message: AbstractIncomingMessage) -> None:
        try:
            event = decode(message)
        except ValueError as exc:
            log.warning("dead-lettering undecodable message on %s: %s", queue, exc)
            if on_undecodable is not None:
                await on_undecodable(message, f"undecodable: {exc}")
            await settle(message, Reject(f"undecodable: {exc}"), queue=queue, publisher=publisher)
            return
        outcome: BaseException | None = None
        try:
            await handler(event, message)
        except Exception as exc:  # noqa: BLE001 - every outcome, expected or not, is settled below
            outcome = exc
        await settle(message, outcome, queue=queue, publisher=publisher,
                     unexpected_delays_s=unexpected_delays_s)

    return await subscribe(channel, queue, on_message)
