"""The `/api/*` endpoints the Midjourney web app calls from the page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from sandbox.midjourney import wire
from sandbox.midjourney.actions import ACTIONS
from sandbox.midjourney.cdn import prerender
from sandbox.midjourney.errors import ApiError, bad_request
from sandbox.midjourney.state import Account, MidjourneyState, Trigger
from sandbox.multipart import parse_files


def _state(request: Request) -> MidjourneyState:
    return request.app.state.midjourney


async def caller(request: Request) -> Account:
    """The account behind the id-token cookie; 401 without a valid one, 403 without CSRF."""
    token = request.cookies.get(wire.ID_TOKEN_COOKIE)
    account = _state(request).account_for_token(token)
    if account is None:
        message = "missing id token" if token is None else "invalid or expired id token"
        raise ApiError(401, {"error": "unauthorized", "message": message})
    if request.headers.get(wire.CSRF_HEADER) != "1":
        raise ApiError(403, {"error": "csrf", "message": f"{wire.CSRF_HEADER}: 1 required"})
    if account.action_needed:
        raise wire.action_needed()
    return account


Caller = Annotated[Account, Depends(caller)]


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("bad json", "body must be JSON") from None
    if not isinstance(body, dict):
        raise bad_request("bad json", "body must be a JSON object")
    return body


router = APIRouter(prefix="/api")


@router.post("/submit-jobs")
async def submit_jobs(request: Request, account: Caller) -> dict[str, Any]:
    state = _state(request)
    state.stats.submissions[account.account_id] += 1
    body = await _json_object(request)
    action = ACTIONS.get(body.get("t"))
    if action is None:
        raise bad_request("unsupported t", f"t {body.get('t')!r} is not supported")
    if body.get("channelId") != f"{wire.CHANNEL_PREFIX}{account.user_id}":
        raise ApiError(403, {"error": "forbidden", "message": "channelId is not yours"})
    answer = action(state, account, body)
    for job in answer.get("success", []):
        state.background(prerender(state, job["job_id"]))
    return answer


@router.post("/job-status")
async def job_status(request: Request, account: Caller) -> list[dict[str, Any]]:
    state = _state(request)
    state.stats.status_requests[account.account_id] += 1
    job_ids = (await _json_object(request)).get("jobIds")
    if not isinstance(job_ids, list):
        raise bad_request("bad jobIds", "jobIds must be a list")
    now = state.clock()
    jobs = (state.jobs.get(job_id) for job_id in job_ids if isinstance(job_id, str))
    return [
        wire.job_status(job, now) for job in jobs if job and job.account_id == account.account_id
    ]


@router.post("/storage-upload-file")
async def storage_upload_file(request: Request, _account: Caller) -> dict[str, str]:
    state = _state(request)
    try:
        files = parse_files(request.headers.get("content-type", ""), await request.body())
    except ValueError as exc:
        raise bad_request("bad upload", str(exc)) from None
    upload = files.get("file")
    if upload is None or not upload.data:
        raise bad_request("bad upload", "multipart field 'file' required")
    upload_id = state.add_upload(upload.data, upload.content_type)
    return {"url": f"{state.cdn_url}/u/{upload_id}.png"}


@router.post("/auth/refresh")
async def refresh(request: Request) -> JSONResponse:
    """New id and refresh tokens for the refresh-token cookie, in the body and as cookies; the
    old ones stop working. Needs no valid id token: that is what it is for."""
    state = _state(request)
    if request.headers.get(wire.CSRF_HEADER) != "1":
        raise ApiError(403, {"error": "csrf", "message": f"{wire.CSRF_HEADER}: 1 required"})
    account = state.refresh(request.cookies.get(wire.REFRESH_TOKEN_COOKIE))
    if account is None:
        raise ApiError(401, {"error": "unauthorized", "message": "invalid refresh token"})
    state.stats.refreshes[account.account_id] += 1
    expires_in = account.token_expires_at - state.clock()
    response = JSONResponse(wire.refreshed(id_token=account.id_token,
                                           refresh_token=account.refresh_token,
                                           expires_in=expires_in))
    for name, value in ((wire.ID_TOKEN_COOKIE, account.id_token),
                        (wire.REFRESH_TOKEN_COOKIE, account.refresh_token)):
        response.set_cookie(name, value, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.post("/describe")
async def describe(request: Request, account: Caller) -> dict[str, Any]:
    """Four prompts for an image the site knows: an upload or a job's image on its CDN."""
    state = _state(request)
    image_url = (await _json_object(request)).get("image_url")
    source = state.cdn_source(image_url) if isinstance(image_url, str) else None
    if source is None:
        raise bad_request("bad image_url", "image_url must be an uploaded image or a job image")
    if _trigger_in(account) is Trigger.MODERATED:
        raise ApiError(400, {"error": "moderated", "message": wire.MODERATION_MESSAGE})
    return wire.describe([f"{style} of image {source[:8]}, --ar 1:1" for style in
                          ("a watercolor illustration", "a flat vector sticker",
                           "a cinematic photograph", "an isometric 3d render")])


def _trigger_in(account: Account) -> Trigger | None:
    return account.forced_triggers.popleft() if account.forced_triggers else None
