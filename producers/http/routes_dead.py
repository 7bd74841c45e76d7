"""`/v1/dead`: what the bus dead-lettered and why; send one back to the queue it came from, or
drop it. Platform-wide (any key's jobs), so behind the `admin` scope.

RabbitMQ cannot address a message in a queue, so each operation takes messages with
basic.get (unacked, on a channel of its own) up to a bound, acks the one it acts on, and gives
the others back by closing the channel: nothing is lost if the process dies meanwhile. A
message's id is a digest of its content, stable across browses."""

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, NamedTuple

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractQueue
from fastapi import APIRouter, Depends, Path, Query, Response

from bus.codec import PREFIX
from bus.publisher import DEAD_QUEUE as DEAD_QUEUE_HEADER
from bus.publisher import DEAD_REASON
from bus.topology import DEAD_QUEUE
from producers.http.auth import requires
from producers.http.errors import ApiError
from producers.http.ingress import Ingress, ingress
from producers.http.routes_jobs import ERRORS
from schemas.errors import ErrorCode
from schemas.http import DeadPage, Discarded, Requeued
from store.keys import ApiKey

router = APIRouter(prefix="/v1/dead", tags=["dead letters"])

BROWSE_LIMIT = 500
PREVIEW_CHARS = 2000
# What dead-lettering added; a requeued message goes back as it was first published.
DEAD_HEADERS = (DEAD_REASON, DEAD_QUEUE_HEADER, "x-death", "x-first-death-reason",
                "x-first-death-queue", "x-first-death-exchange", "x-last-death-reason",
                "x-last-death-queue", "x-last-death-exchange", "x-delivery-count")
DeadId = Annotated[str, Path(pattern=r"^[0-9a-f]{20}$")]


def dead_id(message: AbstractIncomingMessage) -> str:
    headers = message.headers or {}
    digest = hashlib.sha256(f"{message.message_id}|{headers.get(DEAD_REASON)}|".encode()
                            + message.body)
    return digest.hexdigest()[:20]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def view(message: AbstractIncomingMessage) -> dict[str, Any]:
    """A dead letter as the API and the dashboard show it."""
    headers = message.headers or {}
    death = (headers.get("x-death") or [{}])[0]
    reason = headers.get(DEAD_REASON) or headers.get("x-first-death-reason") or death.get(
        "reason")
    queue = headers.get(DEAD_QUEUE_HEADER) or headers.get("x-first-death-queue") or death.get(
        "queue")
    stamp = message.timestamp
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return {"id": dead_id(message), "message_id": message.message_id,
            "type": message.type or _text(headers.get(PREFIX + "type")),
            "job_id": _text(headers.get(PREFIX + "subject")),
            "routing_key": message.routing_key, "queue": _text(queue),
            "reason": _text(reason) or "unknown", "time": stamp.isoformat() if stamp else None,
            "body": message.body[:PREVIEW_CHARS].decode(errors="replace")}


class Held(NamedTuple):
    channel: AbstractChannel
    queue: AbstractQueue
    taken: list[AbstractIncomingMessage]


class DeadLetters:
    def __init__(self, connection: AbstractConnection):
        self.connection = connection

    @contextlib.asynccontextmanager
    async def _held(self) -> AsyncIterator[Held]:
        """The queue and a list that fills with the messages taken; those not acked go back
        when the channel closes."""
        channel = await self.connection.channel(on_return_raises=True)
        try:
            yield Held(channel, await channel.declare_queue(DEAD_QUEUE, passive=True), [])
        finally:
            await channel.close()

    async def browse(self, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` dead letters, oldest first, and how many the queue holds."""
        async with self._held() as (_, queue, taken):
            total = queue.declaration_result.message_count or 0
            while len(taken) < min(limit, BROWSE_LIMIT):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                taken.append(message)
            return [view(m) for m in taken], total

    async def requeue(self, letter_id: str) -> dict[str, Any]:
        """Publish it again to its origin queue (confirmed), then remove it from here."""
        async with self._held() as (channel, queue, taken):
            message = await self._find(queue, taken, letter_id)
            shown = view(message)
            if not shown["queue"]:
                raise ApiError(409, ErrorCode.conflict,
                               "this dead letter does not say which queue it came from")
            headers = {k: v for k, v in (message.headers or {}).items()
                       if k not in DEAD_HEADERS}
            try:
                await channel.default_exchange.publish(aio_pika.Message(
                    body=message.body, headers=headers, content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=message.message_id, type=message.type, app_id=message.app_id,
                    timestamp=message.timestamp), routing_key=shown["queue"], mandatory=True)
            except aio_pika.exceptions.DeliveryError:
                raise ApiError(409, ErrorCode.conflict,
                               f"the queue {shown['queue']} does not exist (any more)") from None
            await message.ack()
            return shown

    async def discard(self, letter_id: str) -> dict[str, Any]:
        async with self._held() as (_, queue, taken):
            message = await self._find(queue, taken, letter_id)
            await message.ack()
            return view(message)

    async def _find(self, queue: AbstractQueue, taken: list[AbstractIncomingMessage],
                    letter_id: str) -> AbstractIncomingMessage:
        while len(taken) < BROWSE_LIMIT:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            taken.append(message)
            if dead_id(message) == letter_id:
                return message
        raise ApiError(404, ErrorCode.not_found, f"no dead letter {letter_id} "
                       f"(among the first {BROWSE_LIMIT} of the queue)")


def dead_letters(ingress: Annotated[Ingress, Depends(ingress)]) -> DeadLetters:
    return DeadLetters(ingress.connection)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


@router.get("", responses={**ERRORS, 200: {"model": DeadPage}})
async def list_dead(_: Annotated[ApiKey, Depends(requires("admin"))],
                    dead: Annotated[DeadLetters, Depends(dead_letters)],
                    limit: Annotated[int, Query(ge=1, le=BROWSE_LIMIT)] = 100) -> Response:
    """Oldest first, with the reason and the queue each came from; `total` is the queue's
    length. Listing leaves them in the queue."""
    found, total = await dead.browse(limit)
    return _json({"data": found, "total": total,
                  "listed_at": datetime.now(UTC).isoformat()})


@router.post("/{letter_id}/requeue", status_code=202,
             responses={**ERRORS, 202: {"model": Requeued}})
async def requeue_dead(letter_id: DeadId, _: Annotated[ApiKey, Depends(requires("admin"))],
                       dead: Annotated[DeadLetters, Depends(dead_letters)]) -> Response:
    """Back to the queue it was dead-lettered from, without the dead-letter headers."""
    return _json({"requeued": await dead.requeue(letter_id)}, 202)


@router.delete("/{letter_id}", responses={**ERRORS, 200: {"model": Discarded}})
async def discard_dead(letter_id: DeadId, _: Annotated[ApiKey, Depends(requires("admin"))],
                       dead: Annotated[DeadLetters, Depends(dead_letters)]) -> Response:
    return _json({"discarded": await dead.discard(letter_id)})
