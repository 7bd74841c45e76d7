"""Consuming with explicit outcomes: a handler returns (ack) or raises one of the outcomes
below; a message that does not decode is dead-lettered with the reason and the consumer goes on."""

import logging
from collections.abc import Awaitable, Callable

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pydantic import ValidationError

from bus.codec import from_message
from bus.publisher import ATTEMPT, Publisher
from schemas.events import Event

log = logging.getLogger("wowz.bus")

Handler = Callable[[Event, AbstractIncomingMessage], Awaitable[None]]
UNEXPECTED_DELAYS_S = (1, 5, 30, 30, 120, 600)


class Reject(Exception):
    """Dead-letter the message with this reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Retry(Exception):
    """Send the message back to its queue after `delay_s`, counting the attempt."""

    def __init__(self, delay_s: float, reason: str = ""):
        super().__init__(reason)
        self.delay_s = delay_s
        self.reason = reason


class Requeue(Exception):
    """Put the message back for another consumer (e.g. this account is unhealthy)."""


def attempt_of(message: AbstractIncomingMessage) -> int:
    return int((message.headers or {}).get(ATTEMPT, 0))


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
        await message.ack()
    elif isinstance(outcome, Reject):
        await publisher.dead_letter(message, queue=queue, reason=outcome.reason)
        await message.ack()
    elif isinstance(outcome, Retry):
        await publisher.delay(message, queue=queue, seconds=outcome.delay_s,
                              attempt=attempt_of(message) + 1)
        await message.ack()
    elif isinstance(outcome, Requeue):
        # Through a 1 s delay rather than nack-requeue: a requeue would count toward the quorum
        # delivery limit (a job bounced by paused accounts must not be dead-lettered for it),
        # and could come straight back to the consumer that refused it.
        await publisher.delay(message, queue=queue, seconds=1, attempt=attempt_of(message) + 1)
        await message.ack()
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
        await message.ack()


Undecodable = Callable[[AbstractIncomingMessage, str], Awaitable[None]]


async def consume(channel: AbstractChannel, queue: str, handler: Handler, *,
                  publisher: Publisher, prefetch: int,
                  on_undecodable: Undecodable | None = None,
                  unexpected_delays_s: tuple[float, ...] = UNEXPECTED_DELAYS_S) -> str:
    """Start consuming `queue` on `channel` (which gets `prefetch`); returns the consumer tag.
    `on_undecodable` hears of a message about to be dead-lettered for not decoding (a provider
    consumer then tells the job's client why)."""
    await channel.set_qos(prefetch_count=prefetch)
    amqp_queue = await channel.get_queue(queue, ensure=False)

    async def on_message(message: AbstractIncomingMessage) -> None:
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

    return await amqp_queue.consume(on_message)
