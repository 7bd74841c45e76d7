"""What each `t` of POST /api/submit-jobs does. A new action (video, vary, upscale, pan) is
one function taking the caller's account and the request body, added to ACTIONS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.images import image_size
from sandbox.midjourney import wire
from sandbox.midjourney.errors import ApiError, bad_request
from sandbox.midjourney.state import Account, MidjourneyState, Trigger

Action = Callable[[MidjourneyState, Account, dict[str, Any]], dict[str, Any]]


def _trigger(account: Account, prompt: str) -> Trigger | None:
    """The failure a test asked for: queued on the account first, then written in the prompt."""
    if account.forced_triggers:
        return account.forced_triggers.popleft()
    lowered = prompt.lower()
    return next((t for t in Trigger if f"sandbox:{t.value}" in lowered), None)


def _mode(body: dict[str, Any]) -> str:
    flags = body.get("f") or {}
    mode = flags.get("mode", "fast") if isinstance(flags, dict) else None
    if mode not in wire.MODES:
        raise bad_request("bad mode", f"f.mode must be one of {sorted(wire.MODES)}")
    return mode


def imagine(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise bad_request("empty prompt", "prompt must be a non-empty string")
    mode = _mode(body)
    trigger = _trigger(account, prompt)
    if trigger is Trigger.RATE_LIMITED:
        raise ApiError(
            429,
            {"error": "rate_limited", "message": "Too many requests"},
            {"Retry-After": str(wire.RATE_LIMIT_RETRY_AFTER_S)},
        )
    if trigger is Trigger.MODERATED:
        return wire.submit_moderated()
    width, height = image_size(prompt, state.config.image_size)
    job = state.add_job(
        account=account, prompt=prompt, mode=mode, width=width, height=height, outcome=trigger
    )
    return wire.submit_success(job)


ACTIONS: dict[str, Action] = {"imagine": imagine}
