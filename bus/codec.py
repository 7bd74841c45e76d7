"""Event <-> AMQP message, CloudEvents binary content mode: attributes as properties and
`cloudEvents:*` headers (the CloudEvents AMQP binding's prefix), data as the JSON body."""

from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractMessage
from pamqp.commands import Basic

from schemas.events import Event

PREFIX = "cloudEvents:"
# Twice the ingress's default request body limit: no event of ours comes near it, and a consumer
# refuses a bigger body before parsing it (anyone who can publish could send one).
MAX_BODY_BYTES = 2 * 1024 * 1024
ATTRIBUTES = ("specversion", "id", "source", "type", "time", "subject")
PERSISTENT = aio_pika.DeliveryMode.PERSISTENT.value
Properties = Basic.Properties


def encode(event: Event, headers: dict[str, Any] | None = None) -> tuple[bytes, Properties]:
    """The body and AMQP properties of `event`: what to_message holds, built directly (every
    publish of ours goes through here, and an aio-pika Message costs as much again)."""
    return event.data.model_dump_json().encode(), Properties(
        content_type="application/json", delivery_mode=PERSISTENT, message_id=event.id,
        message_type=event.type, app_id=event.source, timestamp=event.time,
        headers={**_attribute_headers(event), **(headers or {})})


def to_message(event: Event, headers: dict[str, Any] | None = None) -> aio_pika.Message:
    """The same as an aio-pika Message, for publishing with aio-pika's API."""
    body, properties = encode(event, headers)
    return aio_pika.Message(
        body=body, content_type=properties.content_type, delivery_mode=PERSISTENT,
        message_id=properties.message_id, type=properties.message_type,
        app_id=properties.app_id, timestamp=properties.timestamp, headers=properties.headers)


def _attribute_headers(event: Event) -> dict[str, Any]:
    """`cloudEvents:*` headers, as Event.model_dump(mode="json") writes the attributes."""
    headers = {f"{PREFIX}specversion": event.specversion, f"{PREFIX}id": event.id,
               f"{PREFIX}source": event.source, f"{PREFIX}type": event.type,
               f"{PREFIX}time": _iso(event.time)}
    if event.subject is not None:
        headers[f"{PREFIX}subject"] = event.subject
    return headers


def _iso(time: datetime) -> str:
    text = time.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text  # as pydantic writes UTC


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
