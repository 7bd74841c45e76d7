"""chatgpt.com's wire as the stand-in speaks it: the session cookie, the usage-cap and
challenge answers, the SSE framing of `/backend-api/conversation` and asset pointers."""

from __future__ import annotations

import json
from typing import Any

SESSION_COOKIE = "__Secure-next-auth.session-token"
SESSION_MAX_AGE_S = 30 * 24 * 3600
ASSET_SCHEME = "file-service://"
IMAGE_TOOL = "dalle.text2im"

CAP_DETAIL = {
    "code": "model_cap_exceeded",
    "message": "You've reached our limit of messages per hour. Please try again later.",
}

CHALLENGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title></head>
<body><div id="challenge-stage"><h1>chatgpt.com</h1>
<p>Verify you are human by completing the action below.</p>
<input type="checkbox" aria-label="Verify you are human"></div></body></html>
"""


def sse(data: dict[str, Any] | str, event: str | None = None) -> bytes:
    """One server-sent event: `data: <json>` (or `data: [DONE]`) and a blank line."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return (f"event: {event}\n" if event else "").encode() + f"data: {text}\n\n".encode()


def message(message_id: str, role: str, content: dict[str, Any], *, status: str,
            created: float, name: str | None = None, end_turn: bool | None = None,
            metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": message_id, "author": {"role": role, "name": name, "metadata": {}},
            "create_time": created, "content": content, "status": status,
            "end_turn": end_turn, "weight": 1.0, "metadata": metadata or {},
            "recipient": "all"}


def text_content(text: str) -> dict[str, Any]:
    return {"content_type": "text", "parts": [text]}


def image_part(file_id: str, width: int, height: int, size: int,
               prompt: str | None = None) -> dict[str, Any]:
    part = {"content_type": "image_asset_pointer", "asset_pointer": ASSET_SCHEME + file_id,
            "width": width, "height": height, "size_bytes": size}
    if prompt is not None:
        part["metadata"] = {"dalle": {"gen_id": file_id[-12:], "prompt": prompt}}
    return part


def pointer_file_id(pointer: Any) -> str | None:
    if isinstance(pointer, str) and pointer.startswith(ASSET_SCHEME):
        return pointer.removeprefix(ASSET_SCHEME)
    return None
