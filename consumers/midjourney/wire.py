"""Everything midjourney.com's web app says on the wire, in one place: endpoints, cookies,
headers, request bodies, response shapes, page selectors and the CDN layout.
When the site changes, this module changes."""

import base64
import json
from dataclasses import dataclass
from typing import Any

ID_TOKEN_COOKIE = "__Host-Midjourney.AuthUserTokenV3_i"
REFRESH_TOKEN_COOKIE = "__Host-Midjourney.AuthUserTokenV3_r"
HEADERS = {"x-csrf-protection": "1"}

SUBMIT = "/api/submit-jobs"
STATUS = "/api/job-status"
START_PAGE = "/imagine"
IMAGINE_BAR = "#desktop_input_bar, textarea[placeholder*='imagine' i]"
IMAGES_PER_JOB = 4

DONE = "completed"
FAILED = frozenset({"failed", "error", "moderated"})


def build_prompt(prompt: str, options: dict[str, Any]) -> str:
    """The seed's prompt: the text, then `--flag value` for every option that is set."""
    flags = [("chaos", "--chaos"), ("ar", "--ar"), ("stylize", "--stylize"),
             ("weird", "--weird"), ("quality", "--q"), ("stop", "--stop"), ("no", "--no"),
             ("seed", "--seed"), ("sref", "--sref"), ("cref", "--cref"), ("iw", "--iw")]
    parts = [prompt.strip()]
    for key, flag in flags:
        value = options.get(key)
        if value is not None:
            parts.append(f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}")
    if options.get("niji"):
        parts.append(f"--niji {options['niji']}")
    elif options.get("version"):
        parts.append(f"--v {options['version']}")
    if options.get("tile"):
        parts.append("--tile")
    return " ".join(parts)


def imagine_body(*, prompt: str, user_id: str, mode: str, private: bool,
                 metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"f": {"mode": mode, "private": private}, "channelId": f"singleplayer_{user_id}",
            "roomId": None, "metadata": metadata or {}, "t": "imagine", "prompt": prompt}


@dataclass
class Submitted:
    job_id: str
    width: int | None
    height: int | None
    batch_size: int


class SubmitRefused(Exception):
    """`failure[]` of a submit: the message says why (moderation, invalid parameter, ...)."""


def parse_submit(data: dict[str, Any]) -> Submitted:
    success = data.get("success") or []
    if not success:
        failures = data.get("failure") or [{}]
        raise SubmitRefused(failures[0].get("message") or "submit refused without a reason")
    job = success[0]
    meta = job.get("meta") or {}
    return Submitted(job["job_id"], meta.get("width"), meta.get("height"),
                     meta.get("batch_size") or IMAGES_PER_JOB)


def is_moderation(message: str) -> bool:
    text = message.lower()
    return any(word in text for word in ("moderat", "banned", "community standards", "blocked"))


@dataclass
class Status:
    job_id: str
    state: str
    percent: int


def parse_status(data: Any) -> dict[str, Status]:
    """`/api/job-status` answers a list of jobs (or an object holding it)."""
    items = data if isinstance(data, list) else (data or {}).get("jobs", [])
    out = {}
    for item in items:
        job_id = item.get("id") or item.get("job_id")
        if job_id:
            out[job_id] = Status(job_id, str(item.get("current_status", "")).lower(),
                                 int(item.get("percentage_complete") or 0))
    return out


def image_url(cdn: str, job_id: str, index: int) -> str:
    return f"{cdn.rstrip('/')}/{job_id}/0_{index}.png"


def user_id_from_cookies(cookies: list[dict]) -> str | None:
    """The id token is a JWT whose payload carries the Midjourney user id (`midjourney_id`)."""
    token = next((c["value"] for c in cookies if c["name"] == ID_TOKEN_COOKIE), "")
    parts = token.split(".")
    if len(parts) == 3:
        try:
            payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except ValueError:
            return None
        return payload.get("midjourney_id") or payload.get("user_id") or payload.get("sub")
    return None
