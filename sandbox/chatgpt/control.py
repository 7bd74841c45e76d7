"""`/_sandbox/*`: what tests and `wowz up --sandbox` use to drive the stand-in; not part of
chatgpt.com. `GET /_sandbox/login/<account>` plays the user logging in: it sets the session
cookie in the browser that opens it (so into that browser's profile)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sandbox.chatgpt import wire
from sandbox.chatgpt.state import Account, ChatGPTState

router = APIRouter(prefix="/_sandbox")


def _state(request: Request) -> ChatGPTState:
    return request.app.state.chatgpt


def _view(account: Account) -> dict[str, Any]:
    return {"account_id": account.account_id, "logged_out": account.logged_out,
            "human_check": account.human_check, "capped": account.capped}


@router.get("/login/{account_id}")
async def login(request: Request, account_id: str, next: str = "/") -> Response:
    account = _state(request).login(account_id)
    response = RedirectResponse(next if next.startswith("/") else "/", status_code=303)
    response.set_cookie(wire.SESSION_COOKIE, account.session_token,
                        max_age=wire.SESSION_MAX_AGE_S, path="/", secure=True, httponly=True,
                        samesite="lax")
    return response


@router.post("/accounts/{account_id}/{flag}")
async def set_flag(request: Request, account_id: str, flag: str) -> Response:
    """`logout` ends the session; `human_check`, `capped` with `{"on": bool}`."""
    account = _state(request).accounts.get(account_id)
    if account is None or flag not in ("logout", "human_check", "capped"):
        return JSONResponse({"detail": "no such account or flag"}, status_code=404)
    body = await request.json() if await request.body() else {}
    if flag == "logout":
        account.logged_out = True
    else:
        setattr(account, flag, bool(body.get("on", True)))
    return JSONResponse(_view(account))


@router.get("/accounts/{account_id}")
async def get_account(request: Request, account_id: str) -> Response:
    account = _state(request).accounts.get(account_id)
    if account is None:
        return JSONResponse({"detail": "no such account"}, status_code=404)
    return JSONResponse(_view(account))


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    return _state(request).config.as_json()


@router.post("/config")
async def set_config(request: Request) -> dict[str, Any]:
    config = _state(request).config
    config.update(await request.json())
    return config.as_json()


@router.get("/stats")
async def stats(request: Request) -> dict[str, Any]:
    return _state(request).stats.as_json()


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    state = _state(request)
    state.reset()
    return state.stats.as_json()
