"""The `/api/*` endpoints ideogram.ai's web app calls, behind `Authorization: Bearer <token>`.

From the public wire facts: uploads, describe, sample (text to image, VARIATION, SUPER_RES),
retrieve_metadata_request_id, download, removeImageBackground. What the facts leave open is
this stand-in's choice, kept plain: a content-policy refusal is HTTP 400 with a `detail` naming
the content policy; an account out of generations answers 403 `{"sampling_available": false}`
and `GET /api/account/sampling_available` says whether it may generate again."""

from __future__ import annotations

import asyncio
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageChops

from sandbox.ideogram.state import Account, Generation, IdeogramState, Trigger
from sandbox.images import render_png
from sandbox.multipart import parse_files

STYLES = {"AUTO", "GENERAL", "REALISTIC", "DESIGN", "3D", "ANIME"}
AUTOPROMPT = {"AUTO", "ON", "OFF"}
CONTENT_POLICY = "This prompt may violate our content policy and was not generated."


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(status, body)
        self.status, self.body, self.headers = status, body, headers or {}


async def handle_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


def _bad(detail: str) -> ApiError:
    return ApiError(400, {"detail": detail})


def _state(request: Request) -> IdeogramState:
    return request.app.state.ideogram


async def caller(request: Request) -> Account:
    state = _state(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    account = state.account_for(token) if scheme.lower() == "bearer" else None
    if account is None:
        state.stats.unauthorized += 1
        raise ApiError(401, {"detail": "Unauthorized"})
    return account


Caller = Annotated[Account, Depends(caller)]


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _bad("body must be JSON") from None
    if not isinstance(body, dict):
        raise _bad("body must be a JSON object")
    return body


def _trigger(account: Account, prompt: str) -> Trigger | None:
    if account.forced:
        return account.forced.popleft()
    return next((t for t in Trigger if f"sandbox:{t.value}" in prompt), None)


router = APIRouter(prefix="/api")


@router.post("/uploads/upload")
async def upload(request: Request, account: Caller) -> dict[str, Any]:
    state = _state(request)
    try:
        files = parse_files(request.headers.get("content-type", ""), await request.body())
    except ValueError as exc:
        raise _bad(str(exc)) from None
    part = files.get("file")
    if part is None or not part.data:
        raise _bad("multipart field 'file' required")
    try:
        with Image.open(io.BytesIO(part.data)) as image:
            width, height = image.size
    except OSError:
        raise _bad("file is not an image") from None
    state.stats.uploads += 1
    asset = state.add_asset(account.account_id, part.data, width, height, part.filename or "")
    return {"success": True, "id": asset.asset_id}


@router.post("/describe")
async def describe(request: Request, account: Caller) -> list[dict[str, str]]:
    state = _state(request)
    body = await _json(request)
    asset = state.assets.get(str(body.get("image_id")))
    if asset is None or asset.account_id != account.account_id:
        raise ApiError(404, {"detail": "image not found"})
    if not body.get("captioner_model_version"):
        raise _bad("captioner_model_version required")
    return [{"caption": f"A product design image of {asset.width}x{asset.height} pixels, "
                        f"bold shapes and clean lines (upload {asset.asset_id[:8]})"}]


def _parent(state: IdeogramState, account: Account, parent: Any) -> tuple[str, int, int]:
    """(kind, width, height) of what a parent asks for; 400/404 when it is malformed."""
    if not isinstance(parent, dict):
        raise _bad("parent must be an object")
    kind = parent.get("type")
    if kind == "VARIATION":
        asset = state.assets.get(str(parent.get("image_id")))
        weight = parent.get("weight")
        if not isinstance(weight, int | float) or not 0 <= weight <= 100:
            raise _bad("parent.weight must be 0-100")
    elif kind == "SUPER_RES":
        generation = state.generations.get(str(parent.get("request_id")))
        asset = state.assets.get(str(parent.get("response_id")))
        if (generation is None or asset is None or generation.account_id != account.account_id
                or asset.asset_id not in generation.response_ids):
            raise ApiError(404, {"detail": "parent response not found"})
        return kind, asset.width * 2, asset.height * 2
    else:
        raise _bad("parent.type must be VARIATION or SUPER_RES")
    if asset is None or asset.account_id != account.account_id:
        raise ApiError(404, {"detail": "parent image not found"})
    return kind, 0, 0


@router.post("/images/sample")
async def sample(request: Request, account: Caller) -> dict[str, str]:
    state = _state(request)
    body = await _json(request)
    prompt, num_images = body.get("prompt"), body.get("num_images", 1)
    if not isinstance(prompt, str):
        raise _bad("prompt must be a string")
    if body.get("user_id") != account.user_id:
        raise ApiError(403, {"detail": "user_id does not match the token"})
    if body.get("style_expert", "AUTO") not in STYLES:
        raise _bad(f"style_expert must be one of {sorted(STYLES)}")
    if body.get("use_autoprompt_option", "AUTO") not in AUTOPROMPT:
        raise _bad("use_autoprompt_option must be AUTO, ON or OFF")
    if not isinstance(num_images, int) or not 1 <= num_images <= 4:
        raise _bad("num_images must be 1-4")
    resolution = body.get("resolution") or {"width": 1024, "height": 1024}
    width, height = int(resolution.get("width", 1024)), int(resolution.get("height", 1024))
    kind = "TXT2IMG"
    if body.get("parent") is not None:
        kind, up_width, up_height = _parent(state, account, body["parent"])
        if kind == "SUPER_RES":
            width, height, num_images = up_width, up_height, 1
    if account.quota is not None and account.quota <= 0:
        raise ApiError(403, {"detail": "You are out of generations", "sampling_available": False})
    trigger = _trigger(account, prompt)
    if trigger is Trigger.MODERATED:
        raise _bad(CONTENT_POLICY)
    if trigger is Trigger.RATE_LIMITED:
        raise ApiError(429, {"detail": "Too many requests"}, {"retry-after": "1"})
    if account.quota is not None:
        account.quota -= 1
    state.stats.samples[account.account_id] += 1
    # the stand-in draws small images; an upscale is exactly twice its parent
    scale = 1.0 if kind == "SUPER_RES" else state.config.image_size / max(width, height)
    generation = state.add_generation(
        account, prompt=prompt, num_images=num_images, width=max(1, round(width * scale)),
        height=max(1, round(height * scale)), kind=kind, outcome=trigger)
    return {"request_id": generation.request_id}


def _metadata(state: IdeogramState, generation: Generation) -> dict[str, Any]:
    ready = generation.ready(state.clock())
    failed = generation.outcome is Trigger.FAIL and ready == generation.num_images
    responses = [] if failed else [
        {"response_id": rid, "prompt": generation.prompt, "is_nsfw": False}
        for rid in generation.response_ids[:ready]]
    return {"request_id": generation.request_id, "user_prompt": generation.prompt,
            "width": generation.width, "height": generation.height,
            "num_images": generation.num_images, "responses": responses,
            "is_completed": ready == generation.num_images and not failed,
            "is_failed": failed}


@router.get("/images/retrieve_metadata_request_id/{request_id}")
async def retrieve_metadata(request: Request, request_id: str, account: Caller) -> dict[str, Any]:
    state = _state(request)
    generation = state.generations.get(request_id)
    if generation is None or generation.account_id != account.account_id:
        raise ApiError(404, {"detail": "request not found"})
    state.stats.retrieves += 1
    return _metadata(state, generation)


async def _png(state: IdeogramState, asset_id: str) -> bytes:
    asset = state.assets[asset_id]
    if asset.png is None:
        asset.png = await asyncio.to_thread(render_png, seed=asset_id, index=0,
                                            prompt=asset.prompt, width=asset.width,
                                            height=asset.height)
    return asset.png


def _ready(state: IdeogramState, asset_id: str) -> bool:
    for generation in state.generations.values():
        if asset_id in generation.response_ids:
            done = generation.response_ids[:generation.ready(state.clock())]
            return asset_id in done and generation.outcome is not Trigger.FAIL
    return asset_id in state.assets


@router.get("/download/response/{response_id}/image")
async def download(request: Request, response_id: str, account: Caller) -> Response:
    state = _state(request)
    asset = state.assets.get(response_id)
    if asset is None or asset.account_id != account.account_id or not _ready(state, response_id):
        raise ApiError(404, {"detail": "response not found"})
    if request.query_params.get("quality", "PNG") != "PNG":
        raise _bad("quality must be PNG")
    state.stats.downloads += 1
    return Response(await _png(state, response_id), media_type="image/png")


def _cut_out(png: bytes) -> tuple[bytes, int, int]:
    """The image with its border colour made transparent: a cut-out a test can recognise."""
    with Image.open(io.BytesIO(png)) as source:
        image = source.convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((0, 0)))
    alpha = ImageChops.difference(image, background).convert("L").point(lambda v: 255 * bool(v))
    image.putalpha(alpha)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), image.width, image.height


@router.post("/images/masks/removeImageBackground")
async def remove_background(request: Request, account: Caller) -> dict[str, str]:
    state = _state(request)
    body = await _json(request)
    if body.get("asset_type") not in ("RESPONSE", "UPLOAD"):
        raise _bad("asset_type must be RESPONSE or UPLOAD")
    asset_id = str(body.get("asset_id"))
    asset = state.assets.get(asset_id)
    if asset is None or asset.account_id != account.account_id or not _ready(state, asset_id):
        raise ApiError(404, {"detail": "asset not found"})
    png, width, height = await asyncio.to_thread(_cut_out, await _png(state, asset_id))
    cut = state.add_asset(account.account_id, png, width, height, asset.prompt)
    return {"asset_id": cut.asset_id, "asset_type": "RESPONSE"}


@router.get("/account/sampling_available")
async def sampling_available(account: Caller) -> dict[str, Any]:
    return {"sampling_available": account.quota is None or account.quota > 0,
            "remaining": account.quota}
