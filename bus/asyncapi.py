"""The AsyncAPI 3 document of the bus, generated from the topology and the event models, so
that it cannot drift from what the code sends."""

from typing import Any

from bus import topology
from bus.codec import PREFIX
from schemas.events import EVENT_TYPES, JobEvent
from schemas.inputs import INPUTS, PROVIDERS

HEADERS = {"type": "object", "properties": {
    f"{PREFIX}{name}": {"type": "string"} for name in
    ("specversion", "id", "source", "type", "time", "subject")},
    "description": "CloudEvents attributes (binary content mode); the AMQP properties "
                   "message_id and type carry id and type too."}


def _routing_keys(model: type) -> list[str]:
    if issubclass(model, JobEvent):
        return [f"job.{model.name}.{p}" for p in PROVIDERS]
    # one key per provider for account events, one key for webhook events
    return list(dict.fromkeys(model.model_construct(provider=p).routing_key()
                              for p in PROVIDERS))


def document(version: str = "1") -> dict[str, Any]:
    channels, operations, messages, schemas = {}, {}, {}, {}
    for event_type, model in EVENT_TYPES.items():
        name = event_type.removeprefix("wowz.").replace(".", "_")
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
        messages[name] = {
            "name": event_type, "title": event_type, "contentType": "application/json",
            "headers": HEADERS, "payload": {"$ref": f"#/components/schemas/{name}"},
            "bindings": {"amqp": {"deliveryMode": 2, "messageType": event_type}}}
        for key in _routing_keys(model):
            channel = key.replace(".", "_")
            channels[channel] = {
                "address": key, "messages": {name: {"$ref": f"#/components/messages/{name}"}},
                "bindings": {"amqp": {"is": "routingKey", "exchange": {
                    "name": topology.EVENTS, "type": "topic", "durable": True,
                    "vhost": "/"}}}}
            operations[f"publish_{channel}"] = {
                "action": "send", "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"{event_type} on routing key {key}"}
    for (provider, action), model in INPUTS.items():
        schemas[f"input_{provider}_{action}"] = model.model_json_schema()
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "wowz events", "version": version, "description": (
            f"Every event goes to the topic exchange `{topology.EVENTS}`. A job is requested "
            "by publishing `wowz.job.requested` (routing key `job.requested.<provider>`) with "
            "`input` matching the provider/action's `input_*` schema; persistent, with "
            "publisher confirms. What cannot be handled is dead-lettered to "
            f"`{topology.DEAD}` with the reason in the `x-wowz-dead-reason` header.")},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": schemas}}
