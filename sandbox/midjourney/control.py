"""`/_sandbox/*`: what tests and benchmarks use to set the stand-in up and watch it. No auth."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sandbox.midjourney import wire
from sandbox.midjourney.errors import ApiError, bad_request
from sandbox.midjourney.state import Account, Job, MidjourneyState, Trigger

router = APIRouter(prefix="/_sandbox")


def _state(request: Request) -> MidjourneyState:
    return request.app.state.midjourney


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        raise bad_request("bad json") from None
    if not isinstance(body, dict):
        raise bad_request("bad json", "body must be a JSON object")
    return body


def _number(body: dict[str, Any], key: str, default: float) -> float:
    try:
        return float(body.get(key, default))
    except (TypeError, ValueError):
        raise bad_request(f"bad {key}", f"{key} must be a number") from None


def _account(state: MidjourneyState, account_id: str) -> Account:
    if account_id not in state.accounts:
        raise ApiError(404, {"error": "not_found", "message": f"no account {account_id!r}"})
    return state.accounts[account_id]


def _account_json(state: MidjourneyState, account: Account) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "user_id": account.user_id,
        "token_valid": account.token_valid(state.clock()),
        "token_expires_at": account.token_expires_at,
        "forced_failures": [trigger.value for trigger in account.forced_triggers],
        "action_needed": account.action_needed,
    }


def _job_json(job: Job, now: float) -> dict[str, Any]:
    status, percentage = job.progress(now)
    return {
        "job_id": job.job_id,
        "account_id": job.account_id,
        "prompt": job.prompt,
        "mode": job.mode,
        "status": status,
        "percentage_complete": percentage,
        "width": job.width,
        "height": job.height,
        "created_at": job.created_at,
        "done_at": job.done_at(now),
    }


@router.post("/accounts")
async def create_account(request: Request) -> dict[str, Any]:
    state = _state(request)
    body = await _body(request)
    account_id = body.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        raise bad_request("bad account_id", "account_id must be a non-empty string")
    account = state.upsert_account(account_id, _number(body, "token_ttl_s", 3600.0))
    cookies = wire.cookies_json(
        domain=state.cookie_domain, id_token=account.id_token, refresh_token=account.refresh_token
    )
    return {"account_id": account.account_id, "user_id": account.user_id, "cookies": cookies}


@router.get("/accounts/{account_id}")
async def get_account(request: Request, account_id: str) -> dict[str, Any]:
    state = _state(request)
    return _account_json(state, _account(state, account_id))


@router.post("/accounts/{account_id}/expire")
async def expire_account(request: Request, account_id: str) -> dict[str, Any]:
    state = _state(request)
    _account(state, account_id)
    return _account_json(state, state.set_revoked(account_id, True))


@router.post("/accounts/{account_id}/restore")
async def restore_account(request: Request, account_id: str) -> dict[str, Any]:
    state = _state(request)
    _account(state, account_id)
    return _account_json(state, state.set_revoked(account_id, False))


@router.post("/accounts/{account_id}/captcha")
async def require_action(request: Request, account_id: str) -> dict[str, Any]:
    """The site puts up its "action needed" page for this account until /restore."""
    state = _state(request)
    _account(state, account_id).action_needed = True
    return _account_json(state, state.accounts[account_id])


@router.post("/accounts/{account_id}/failures")
async def force_failures(request: Request, account_id: str) -> dict[str, Any]:
    """The account's next `count` submissions fail as `trigger` would in a prompt."""
    state = _state(request)
    account = _account(state, account_id)
    body = await _body(request)
    try:
        trigger = Trigger(str(body.get("trigger")))
    except ValueError:
        message = f"trigger must be one of {[t.value for t in Trigger]}"
        raise bad_request("bad trigger", message) from None
    account.forced_triggers.extend([trigger] * int(_number(body, "count", 1)))
    return _account_json(state, account)


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    return _state(request).config.as_json()


@router.post("/config")
async def set_config(request: Request) -> dict[str, Any]:
    config = _state(request).config
    try:
        config.update(await _body(request))
    except (TypeError, ValueError):
        raise bad_request("bad config", "generation_s and image_size must be numbers") from None
    return config.as_json()


@router.get("/stats")
async def stats(request: Request) -> dict[str, Any]:
    return _state(request).stats.as_json()


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    state = _state(request)
    state.reset()
    return state.stats.as_json()


@router.get("/jobs")
async def list_jobs(request: Request) -> list[dict[str, Any]]:
    state = _state(request)
    now = state.clock()
    return [_job_json(job, now) for job in state.jobs.values()]


@router.get("/jobs/{job_id}")
async def get_job(request: Request, job_id: str) -> dict[str, Any]:
    state = _state(request)
    job = state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, {"error": "not_found", "message": f"no job {job_id!r}"})
    return _job_json(job, state.clock())
