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
UPLOAD = "/api/storage-upload-file"
DESCRIBE = "/api/describe"
REFRESH = "/api/auth/refresh"
# What the site's bot check ("action needed") answers instead of the API.
CHALLENGE_MARKERS = ("challenge-form", "cf-turnstile", "Just a moment", "Action needed")
ACTION_NEEDED = "#challenge-form, .cf-turnstile"
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


def action_body(t: str, *, user_id: str, mode: str, **fields: Any) -> dict[str, Any]:
    """Any other `t`: the same envelope, the action's own fields beside it."""
    return {"f": {"mode": mode, "private": False}, "channelId": f"singleplayer_{user_id}",
            "roomId": None, "metadata": {}, "t": t, **fields}


UPSCALE_TYPES = {"subtle": "v7_2x_subtle", "creative": "v7_2x_creative"}
VIDEO_TYPE = "vid_1.1_i2v_480"
BLEND_AR = {"portrait": "2:3", "square": "1:1", "landscape": "3:2"}


def on_job_fields(action: str, parent_id: str, index: int, params: dict[str, Any]) -> tuple[
        str, dict[str, Any]]:
    """(`t`, fields) of an action on one image of a finished job."""
    base = {"id": parent_id, "index": index}
    if action == "upscale":
        return "upscale", {**base, "type": UPSCALE_TYPES[params["type"]]}
    if action == "vary":
        return "vary", {**base, "strong": params["strength"] == "strong"}
    if action == "pan":
        return "pan", {**base, "direction": params["direction"]}
    if action == "zoom":
        return "outpaint", {**base, "zoomFactor": params["factor"]}
    raise ValueError(f"no Midjourney action {action!r} on a job")


def video_fields(*, prompt: str, motion: str, image_url: str | None = None,
                 parent: tuple[str, int] | None = None) -> dict[str, Any]:
    """Image to video: a grid image (`parentJob`) or an image URL first in the prompt."""
    text = " ".join(p for p in (image_url, prompt.strip(), f"--motion {motion}") if p)
    fields = {"videoType": VIDEO_TYPE, "animateMode": "manual" if prompt.strip() else "auto",
              "newPrompt": text}
    if parent is not None:
        fields["parentJob"] = {"job_id": parent[0], "image_num": parent[1]}
    return fields


def parse_upload(data: dict[str, Any]) -> str:
    return data["url"]


def parse_describe(data: dict[str, Any]) -> list[str]:
    return [str(d) for d in data.get("descriptions") or []]


def is_challenge(status: int, text: str) -> bool:
    return status == 403 and any(marker in text for marker in CHALLENGE_MARKERS)


def token_expiry(cookies: list[dict]) -> float | None:
    """When the id token expires (its JWT `exp`), None when unknown."""
    payload = _token_payload(cookies)
    return float(payload["exp"]) if payload and "exp" in payload else None


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
    batch_size: int = IMAGES_PER_JOB


def parse_status(data: Any) -> dict[str, Status]:
    """`/api/job-status` answers a list of jobs (or an object holding it)."""
    items = data if isinstance(data, list) else (data or {}).get("jobs", [])
    out = {}
    for item in items:
        job_id = item.get("id") or item.get("job_id")
        if job_id:
            out[job_id] = Status(job_id, str(item.get("current_status", "")).lower(),
                                 int(item.get("percentage_complete") or 0),
                                 int(item.get("batch_size") or IMAGES_PER_JOB))
    return out


def image_url(cdn: str, job_id: str, index: int) -> str:
    return f"{cdn.rstrip('/')}/{job_id}/0_{index}.png"


def video_url(cdn: str, job_id: str, index: int) -> str:
    return f"{cdn.rstrip('/')}/video/{job_id}/{index}.mp4"


def refreshed_cookies(cookies: list[dict], data: dict[str, Any]) -> list[dict]:
    """The cookie file with the new tokens of a refresh answer, everything else kept."""
    new = {ID_TOKEN_COOKIE: data["idToken"], REFRESH_TOKEN_COOKIE: data["refreshToken"]}
    return [{**c, "value": new[c["name"]]} if c["name"] in new else c for c in cookies]


def _token_payload(cookies: list[dict]) -> dict[str, Any] | None:
    token = next((c["value"] for c in cookies if c["name"] == ID_TOKEN_COOKIE), "")
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def user_id_from_cookies(cookies: list[dict]) -> str | None:
    """The id token is a JWT whose payload carries the Midjourney user id (`midjourney_id`)."""
    payload = _token_payload(cookies) or {}
    return payload.get("midjourney_id") or payload.get("user_id") or payload.get("sub")
