"""Event <-> AMQP message, CloudEvents binary content mode: attributes as properties and
`cloudEvents:*` headers (the CloudEvents AMQP binding's prefix), data as the JSON body."""

from typing import Any

import aio_pika
from aio_pika.abc import AbstractMessage

from schemas.events import Event

PREFIX = "cloudEvents:"
# Twice the ingress's default request body limit: no event of ours comes near it, and a consumer
# refuses a bigger body before parsing it (anyone who can publish could send one).
MAX_BODY_BYTES = 2 * 1024 * 1024
ATTRIBUTES = ("specversion", "id", "source", "type", "time", "subject")


def to_message(event: Event, headers: dict[str, Any] | None = None) -> aio_pika.Message:
    attrs = event.model_dump(mode="json", exclude={"data"}, exclude_none=True)
    return aio_pika.Message(
        body=event.data.model_dump_json().encode(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=event.id,
        type=event.type,
        app_id=event.source,
        timestamp=event.time,
        headers={**{PREFIX + k: v for k, v in attrs.items()}, **(headers or {})},
    )


def from_message(message: AbstractMessage) -> Event:
    """Decode; raises ValueError naming what is wrong."""
    if len(message.body) > MAX_BODY_BYTES:
        raise ValueError(f"body: {len(message.body)} bytes, more than the {MAX_BODY_BYTES} "
                         "an event may have")
    if message.content_type not in (None, "application/json"):
        raise ValueError(f"content_type: expected application/json, got {message.content_type!r}")
    headers = message.headers or {}
    attributes = {k: _text(headers[PREFIX + k]) for k in ATTRIBUTES if PREFIX + k in headers}
    attributes.setdefault("id", message.message_id)
    attributes.setdefault("type", message.type)
    attributes.setdefault("source", message.app_id or "unknown")
    if message.timestamp and "time" not in attributes:
        attributes["time"] = message.timestamp
    attributes = {k: v for k, v in attributes.items() if v is not None}
    if "id" not in attributes:
        raise ValueError("id: missing (cloudEvents:id header or message_id property)")
    return Event.parse(attributes, message.body)


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value
