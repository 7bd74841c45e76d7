"""Midjourney's web wire format as the sandbox speaks it: names, messages and JSON shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.midjourney.errors import ApiError
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
UPSCALE_TYPES = frozenset({"v7_2x_subtle", "v7_2x_creative"})
PAN_DIRECTIONS = ("up", "down", "left", "right")
VIDEO_TYPES = frozenset({"vid_1.1_i2v_480", "vid_1.1_i2v_720"})
# The challenge page the site (its CDN's bot check) shows instead of answering the API.
ACTION_NEEDED_PAGE = """<!doctype html>
<html lang="en"><head><title>Just a moment...</title></head>
<body><h1>Action needed</h1><p>Verify you are human by completing the action below.</p>
<div id="challenge-form" class="cf-turnstile"></div></body></html>
"""


def action_needed() -> ApiError:
    return ApiError(403, ACTION_NEEDED_PAGE, {"cf-mitigated": "challenge"})


def submit_invalid(message: str) -> dict[str, Any]:
    return {"success": [], "failure": [{"type": "invalid_parameter", "message": message}]}


def describe(prompts: list[str]) -> dict[str, Any]:
    return {"descriptions": prompts}


def refreshed(*, id_token: str, refresh_token: str, expires_in: float) -> dict[str, Any]:
    return {"idToken": id_token, "refreshToken": refresh_token, "expiresIn": int(expires_in)}


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
