"""The webhook body: Standard Webhooks' `{type, timestamp, data}` around the job as the event
tells it (status, output and error come from the event; the row may not have caught up yet)."""

import json
from collections.abc import Mapping
from typing import Any

from schemas.events import Event, JobCompleted, JobEvent, JobFailed, JobProgress

DEFAULT_EVENTS = ("completed", "failed")  # the terminal one only: n8n resumes on the first call
FINAL_CODES = ("cancelled", "timeout")  # failures that are job statuses of their own


def wanted(data: JobEvent, webhook: Mapping[str, Any] | None) -> bool:
    """Whether the job's webhook asked for this kind of event."""
    return bool(webhook) and data.name in webhook.get("events", DEFAULT_EVENTS)


def status_of(data: JobEvent) -> str:
    if isinstance(data, JobCompleted):
        return "completed"
    if isinstance(data, JobFailed):
        return data.error.code if data.error.code in FINAL_CODES else "failed"
    return "processing"


def progress_of(data: JobEvent, row: Mapping[str, Any]) -> int:
    if isinstance(data, JobProgress):
        return data.percent
    if isinstance(data, JobCompleted):
        return 100
    return row["progress"]


def build(event: Event, row: Mapping[str, Any]) -> dict[str, Any]:
    data = event.data
    return {"type": event.type, "timestamp": event.time.isoformat(), "data": {
        "job_id": data.job_id,
        "status": status_of(data),
        "provider": data.provider,
        "action": row["action"],
        "progress": progress_of(data, row),
        "output": data.output.model_dump(mode="json") if isinstance(data, JobCompleted) else None,
        "error": data.error.model_dump(mode="json") if isinstance(data, JobFailed) else None,
        "metadata": row["metadata"],
        "seq": data.seq,
    }}


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
