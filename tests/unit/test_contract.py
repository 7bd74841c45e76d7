"""The contract: job requests are checked field by field, events survive the wire."""

import json
import os
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aio_pika
import pytest
from pydantic import ValidationError

from bus.codec import encode, from_message, to_message
from schemas.events import Event, JobCompleted, JobFailed
from schemas.jobs import Image, JobError, JobOutput, parse_request
from wowz.jsonschemas import write_schemas
from wowz.settings import Settings

pytestmark = pytest.mark.unit


def problems(data) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse_request(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


def test_a_valid_imagine_request_gets_the_seed_defaults():
    request = parse_request({"provider": "midjourney", "action": "imagine",
                             "input": {"prompt": "a fox"}})
    assert request.input["options"]["chaos"] == 5
    assert request.input["options"]["ar"] == "4:3"
    assert request.input["options"]["stylize"] == 150
    assert request.input["options"]["version"] == "7"
    assert request.timeout_s == 600


@pytest.mark.parametrize("body, field", [
    ({"provider": "midjourney", "action": "dance", "input": {}}, "action"),
    ({"provider": "nope", "action": "imagine", "input": {}}, "action"),
    ({"provider": "midjourney", "action": "imagine", "input": {"prompt": ""}}, "input.prompt"),
    ({"provider": "midjourney", "action": "imagine", "input": {"prompt": "x" * 4001}},
     "input.prompt"),
    ({"provider": "midjourney", "action": "imagine",
      "input": {"prompt": "x", "options": {"chaos": 101}}}, "input.options.chaos"),
    ({"provider": "midjourney", "action": "imagine",
      "input": {"prompt": "x", "options": {"ar": "wide"}}}, "input.options.ar"),
    ({"provider": "midjourney", "action": "imagine",
      "input": {"prompt": "x", "options": {"mode": "warp"}}}, "input.options.mode"),
    ({"provider": "midjourney", "action": "imagine", "input": {"prompt": "x", "color": 1}},
     "input.color"),
    ({"provider": "midjourney", "action": "imagine", "input": {"prompt": "x"},
      "webhook": {"url": "ftp://example.com/x"}}, "webhook.url"),
    ({"provider": "midjourney", "action": "imagine", "input": {"prompt": "x"},
      "timeout_s": 1}, "timeout_s"),
])
def test_bad_input_names_the_field(body, field):
    assert field in problems(body)


def test_unknown_action_says_what_is_known():
    assert "midjourney/imagine" in problems(
        {"provider": "midjourney", "action": "dance", "input": {}})["action"]


def test_an_event_survives_the_wire_as_a_cloudevent():
    event = Event.of(JobCompleted(job_id="j1", provider="midjourney", seq=7, output=JobOutput(
        images=[Image(url="http://x/0.png", index=0, width=1, height=1)])))
    message = to_message(event)
    assert message.headers["cloudEvents:type"] == "wowz.job.completed"
    assert message.headers["cloudEvents:subject"] == "j1"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    incoming = aio_pika.Message(message.body, headers=message.headers,
                                content_type=message.content_type)
    decoded = from_message(incoming)
    assert decoded.id == event.id and decoded.data == event.data
    assert event.data.routing_key() == "job.completed.midjourney"


@pytest.mark.parametrize("attrs", [
    {}, {"time": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)},
    {"time": datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=timezone(timedelta(hours=2)))},
    {"source": "elsewhere"}])
def test_the_headers_hold_the_attributes_as_the_event_writes_them(attrs):
    event = Event.of(JobFailed(job_id="j3", provider="ideogram", seq=1,
                               error=JobError(code="timeout", message="late")), **attrs)
    if attrs.get("source"):
        event.subject = None  # an event about no job
    body, properties = encode(event, {"x-extra": 1})
    written = event.model_dump(mode="json", exclude={"data"}, exclude_none=True)
    assert properties.headers == {**{f"cloudEvents:{k}": v for k, v in written.items()},
                                  "x-extra": 1}
    assert (properties.message_id, properties.message_type, properties.app_id,
            properties.timestamp, properties.delivery_mode) == (
        event.id, event.type, event.source, event.time, 2)
    assert json.loads(body) == event.data.model_dump(mode="json")


def test_an_event_from_another_system_needs_only_properties_and_json():
    body = JobFailed(job_id="j2", provider="midjourney", seq=3,
                     error=JobError(code="timeout", message="late")).model_dump_json().encode()
    decoded = from_message(aio_pika.Message(body, message_id="e-1", type="wowz.job.failed",
                                            content_type="application/json"))
    assert decoded.id == "e-1" and decoded.data.error.code == "timeout"


@pytest.mark.parametrize("message, problem", [
    (aio_pika.Message(b"\x00\xff", type="wowz.job.failed", message_id="x"), "JSON"),
    (aio_pika.Message(b"{}", type="wowz.nope", message_id="x"), "unknown event type"),
    (aio_pika.Message(b"{}", type="wowz.job.failed"), "id"),
    (aio_pika.Message(b"{}", type="wowz.job.failed", message_id="x",
                      content_type="text/plain"), "content_type"),
])
def test_a_message_that_does_not_decode_says_why(message, problem):
    from bus.consumer import decode

    with pytest.raises(ValueError, match=problem):
        decode(message)


def test_production_settings_refuse_insecure_defaults(monkeypatch):
    monkeypatch.setenv("WOWZ_ENV", "production")
    with pytest.raises(ValidationError, match="guest"):
        Settings()


def test_the_env_example_copied_to_env_is_read_as_it_says(tmp_path, monkeypatch):
    """Its `KEY=` lines mean unset, as a fresh `cp .env.example .env` gives them."""
    shutil.copy(Path(__file__).parents[2] / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("WOWZ_")]:
        monkeypatch.delenv(name)
    settings = Settings()
    assert settings.store.supabase_url is None
    assert len(settings.bus.provider_token_key.get_secret_value()) >= 32


def test_wowz_schemas_writes_a_schema_per_event_and_input(tmp_path):
    names = {p.name for p in write_schemas(tmp_path)}
    assert {"wowz.job.requested.json", "wowz.job.completed.json",
            "input.midjourney.imagine.json", "job-request.json"} <= names
