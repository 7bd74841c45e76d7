"""`/_sandbox/*` on the Ideogram origin: what tests and benchmarks use to set it up and watch it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sandbox.ideogram.api import ApiError
from sandbox.ideogram.state import Account, IdeogramState, Trigger

router = APIRouter(prefix="/_sandbox")


def _state(request: Request) -> IdeogramState:
    return request.app.state.ideogram


async def _body(request: Request) -> dict[str, Any]:
    body = await request.json() if await request.body() else {}
    if not isinstance(body, dict):
        raise ApiError(400, {"detail": "body must be a JSON object"})
    return body


def _account(state: IdeogramState, account_id: str) -> Account:
    if account_id not in state.accounts:
        raise ApiError(404, {"detail": f"no account {account_id!r}"})
    return state.accounts[account_id]


def _view(account: Account) -> dict[str, Any]:
    return {"account_id": account.account_id, "user_id": account.user_id,
            "quota": account.quota, "forced_failures": [t.value for t in account.forced]}


@router.post("/accounts")
async def create_account(request: Request) -> dict[str, Any]:
    """An account and a static token for it (`token_ttl_s`, default the config's)."""
    state = _state(request)
    body = await _body(request)
    account_id = body.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        raise ApiError(400, {"detail": "account_id must be a non-empty string"})
    account = state.upsert_account(account_id)
    token, ttl = state.issue_token(account_id, body.get("token_ttl_s"))
    return {**_view(account), "token": token, "expires_in": ttl,
            "token_path": f"/token/{account_id}"}


@router.post("/accounts/{account_id}/revoke")
async def revoke(request: Request, account_id: str) -> dict[str, Any]:
    state = _state(request)
    _account(state, account_id)
    return {"revoked": state.revoke(account_id)}


@router.post("/accounts/{account_id}/quota")
async def set_quota(request: Request, account_id: str) -> dict[str, Any]:
    """`{"remaining": n}` generations left (null: unlimited)."""
    account = _account(_state(request), account_id)
    account.quota = (await _body(request)).get("remaining")
    return _view(account)


@router.post("/accounts/{account_id}/failures")
async def force_failures(request: Request, account_id: str) -> dict[str, Any]:
    """The account's next `count` samples fail as `trigger` would in a prompt."""
    account = _account(_state(request), account_id)
    body = await _body(request)
    try:
        trigger = Trigger(str(body.get("trigger")))
    except ValueError:
        raise ApiError(400, {"detail": f"trigger must be one of {list(Trigger)}"}) from None
    account.forced.extend([trigger] * int(body.get("count", 1)))
    return _view(account)


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    return _state(request).config.as_json()


@router.post("/config")
async def set_config(request: Request) -> dict[str, Any]:
    config = _state(request).config
    try:
        config.update(await _body(request))
    except (TypeError, ValueError):
        raise ApiError(400, {"detail": "config values must be numbers"}) from None
    return config.as_json()


@router.get("/stats")
async def stats(request: Request) -> dict[str, Any]:
    return _state(request).stats.as_json()


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    state = _state(request)
    state.reset()
    return state.stats.as_json()


@router.get("/generations")
async def generations(request: Request) -> list[dict[str, Any]]:
    state = _state(request)
    return [{"request_id": g.request_id, "account_id": g.account_id, "prompt": g.prompt,
             "kind": g.kind, "num_images": g.num_images, "ready": g.ready(state.clock())}
            for g in state.generations.values()]
