"""Midjourney's web wire format as the sandbox speaks it: names, messages and JSON shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.midjourney.state import Job

ID_TOKEN_COOKIE = "__Host-Midjourney.AuthUserTokenV3_i"
REFRESH_TOKEN_COOKIE = "__Host-Midjourney.AuthUserTokenV3_r"
CSRF_HEADER = "x-csrf-protection"
CHANNEL_PREFIX = "singleplayer_"
MODES = frozenset({"fast", "relax", "turbo"})
MODERATION_MESSAGE = (
    "Sorry! Our AI moderator thinks this prompt is probably against our community standards."
)
RATE_LIMIT_RETRY_AFTER_S = 2


def cookies_json(*, domain: str, id_token: str, refresh_token: str) -> list[dict[str, str]]:
    """The seed's cookies.json format: a list of name/value/domain/path."""
    return [
        {"name": ID_TOKEN_COOKIE, "value": id_token, "domain": domain, "path": "/"},
        {"name": REFRESH_TOKEN_COOKIE, "value": refresh_token, "domain": domain, "path": "/"},
    ]


def submit_success(job: Job) -> dict[str, Any]:
    return {
        "success": [
            {
                "job_id": job.job_id,
                "prompt": job.prompt,
                "is_queued": False,
                "event_type": job.event_type,
                "meta": {"height": job.height, "width": job.width, "batch_size": job.batch_size},
            }
        ],
        "failure": [],
    }


def submit_moderated() -> dict[str, Any]:
    return {"success": [], "failure": [{"type": "moderation", "message": MODERATION_MESSAGE}]}


def job_status(job: Job, now: float) -> dict[str, Any]:
    status, percentage = job.progress(now)
    return {
        "id": job.job_id,
        "current_status": status,
        "percentage_complete": percentage,
        "width": job.width,
        "height": job.height,
        "batch_size": job.batch_size,
        "event_type": job.event_type,
        "prompt": job.prompt,
        "enqueue_time": datetime.fromtimestamp(job.created_at, UTC).isoformat(),
        "parent_id": job.parent_id,
    }
