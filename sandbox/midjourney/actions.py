"""What each `t` of POST /api/submit-jobs does: one function per `t`, taking the caller's
account and the request body, in ACTIONS. Actions on an earlier job (`vary`, `upscale`, `pan`,
`outpaint`, `video` from a grid image) name it by `id` and `index` and must be the caller's own
completed job, as on the site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.images import image_size
from sandbox.midjourney import wire
from sandbox.midjourney.errors import ApiError, bad_request
from sandbox.midjourney.state import Account, Job, MidjourneyState, Trigger

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


def _parent(state: MidjourneyState, account: Account, job_id: Any, index: Any) -> Job:
    job = state.jobs.get(job_id) if isinstance(job_id, str) else None
    if job is None or job.account_id != account.account_id:
        raise ApiError(404, {"error": "not_found", "message": f"no job {job_id!r}"})
    if job.progress(state.clock())[0] != "completed":
        raise bad_request("job not completed", f"job {job_id} is not completed")
    if not isinstance(index, int) or not 0 <= index < job.batch_size:
        raise bad_request("bad index", f"index must be 0..{job.batch_size - 1}")
    return job


def _submit(state: MidjourneyState, account: Account, body: dict[str, Any], prompt: str,
            size: tuple[int, int], **kind: Any) -> dict[str, Any]:
    """Apply the failure a test asked for, or add the job."""
    mode = _mode(body)
    trigger = _trigger(account, prompt)
    if trigger is Trigger.RATE_LIMITED:
        raise ApiError(429, {"error": "rate_limited", "message": "Too many requests"},
                       {"Retry-After": str(wire.RATE_LIMIT_RETRY_AFTER_S)})
    if trigger is Trigger.CAPTCHA:
        account.action_needed = True
        raise wire.action_needed()
    if trigger is Trigger.MODERATED:
        return wire.submit_moderated()
    if trigger is Trigger.INVALID:
        return wire.submit_invalid("Invalid parameter: sandbox:invalid is not a parameter")
    job = state.add_job(account=account, prompt=prompt, mode=mode, width=size[0],
                        height=size[1], outcome=trigger, **kind)
    return wire.submit_success(job)


def imagine(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """Text, or image URLs before the text (image prompts; images alone are a blend)."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise bad_request("empty prompt", "prompt must be a non-empty string")
    return _submit(state, account, body, prompt, image_size(prompt, state.config.image_size))


def vary(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    parent = _parent(state, account, body.get("id"), body.get("index"))
    strong = body.get("strong")
    if not isinstance(strong, bool):
        raise bad_request("bad strong", "strong must be true or false")
    prompt = body.get("newPrompt") or parent.prompt
    return _submit(state, account, body, prompt, (parent.width, parent.height),
                   event_type="variation", parent_id=parent.job_id, parent_index=body["index"])


def upscale(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    parent = _parent(state, account, body.get("id"), body.get("index"))
    kind = body.get("type")
    if kind not in wire.UPSCALE_TYPES:
        raise bad_request("bad type", f"type must be one of {sorted(wire.UPSCALE_TYPES)}")
    return _submit(state, account, body, parent.prompt, (parent.width * 2, parent.height * 2),
                   event_type="upscale", parent_id=parent.job_id, parent_index=body["index"],
                   batch_size=1)


def pan(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    parent = _parent(state, account, body.get("id"), body.get("index"))
    direction = body.get("direction")
    if direction not in wire.PAN_DIRECTIONS:
        raise bad_request("bad direction", f"direction must be one of {wire.PAN_DIRECTIONS}")
    wide = direction in ("left", "right")
    size = (parent.width * 3 // 2, parent.height) if wide else (parent.width,
                                                                 parent.height * 3 // 2)
    return _submit(state, account, body, body.get("newPrompt") or parent.prompt, size,
                   event_type="pan", parent_id=parent.job_id, parent_index=body["index"])


def outpaint(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """Zoom out: the image framed in more of the scene, same size."""
    parent = _parent(state, account, body.get("id"), body.get("index"))
    factor = body.get("zoomFactor")
    if not isinstance(factor, int | float) or not 1 < factor <= 2:
        raise bad_request("bad zoomFactor", "zoomFactor must be in (1, 2]")
    return _submit(state, account, body, body.get("newPrompt") or parent.prompt,
                   (parent.width, parent.height), event_type="outpaint",
                   parent_id=parent.job_id, parent_index=body["index"])


def video(state: MidjourneyState, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """Animate a grid image (`parentJob`) or an image URL at the start of `newPrompt`."""
    if body.get("videoType") not in wire.VIDEO_TYPES:
        raise bad_request("bad videoType", f"videoType must be one of {sorted(wire.VIDEO_TYPES)}")
    if body.get("animateMode") not in ("auto", "manual"):
        raise bad_request("bad animateMode", "animateMode must be auto or manual")
    prompt = body.get("newPrompt") or ""
    if not isinstance(prompt, str):
        raise bad_request("bad newPrompt", "newPrompt must be a string")
    parent_job = body.get("parentJob")
    if parent_job is not None:
        if not isinstance(parent_job, dict):
            raise bad_request("bad parentJob", "parentJob must be {job_id, image_num}")
        parent = _parent(state, account, parent_job.get("job_id"), parent_job.get("image_num"))
        size, parent_id = (parent.width, parent.height), parent.job_id
        prompt = prompt or parent.prompt
    elif prompt.startswith(("http://", "https://")):
        size, parent_id = image_size(prompt, state.config.image_size), None
    else:
        raise bad_request("no image", "a video needs parentJob or an image URL in newPrompt")
    return _submit(state, account, body, prompt, size, event_type="video",
                   parent_id=parent_id, video=True)


ACTIONS: dict[str, Action] = {"imagine": imagine, "vary": vary, "upscale": upscale, "pan": pan,
                              "outpaint": outpaint, "video": video}
