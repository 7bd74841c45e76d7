"""`/api/*` of the seed's Ideogram service that answered synchronously: upload, caption,
genimageprompt, upscale, removebackground. Each is an `ideogram/*` job; the route waits for
it (up to WOWZ_SEED_WAIT_S) and answers the seed's shape, or the job id to poll past that."""

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import Field

from producers.http.errors import ApiError
from producers.http.seed.common import SeedBody, Submitter, read_body, start, when_over
from producers.http.seed.ideogram import SEED_MODEL
from schemas.errors import ErrorCode
from schemas.jobs import Job
from store import assets

router = APIRouter(prefix="/api", tags=["seed"])


class Upload(SeedBody):
    imageUrl: str


class Caption(SeedBody):
    uploadId: str


class GenImagePrompt(SeedBody):
    prompt: str
    style_expert: Any = "AUTO"
    model_version: Any = SEED_MODEL
    use_autoprompt_option: Any = "ON"
    resolution: Any = Field(default_factory=lambda: {"width": 1312, "height": 736})
    num_images: Any = 4


class Upscale(SeedBody):
    request_id: str
    response_id: str
    promptText: str
    model_version: Any = "V_0_3"
    parent_weight: Any = 100


class RemoveBackground(SeedBody):
    asset_type: Literal["RESPONSE"] = "RESPONSE"  # an image Ideogram generated
    asset_id: str


def generation(job: Job) -> dict[str, Any]:
    """What the seed's `data`/`result` held (Ideogram's answer), as wowz knows it once done:
    the request id, and each stored image with its response id."""
    images = job.output.images if job.output else []
    return {"jobId": job.id, "request_id": job.provider_job_id,
            "images": [i.url for i in images],
            "responses": [{"response_id": i.response_id, "url": i.url} for i in images]}


@router.post("/upload")
async def upload(request: Request, key: Submitter) -> Response:
    """Upload an image to Ideogram: `{success, uploadId}`, for `/api/caption` and
    `/api/gencustom`."""
    body = await read_body(request, Upload)
    starting = start(request, key, "ideogram", "upload", {"image_url": body.imageUrl},
                     names={"image_url": "imageUrl"})
    return await when_over(request, starting, lambda done: {"success": True,
                                                            "uploadId": done.output.text})


@router.post("/caption")
async def caption(request: Request, key: Submitter) -> Response:
    """Ideogram's caption of an uploaded image: `{success, caption}`."""
    body = await read_body(request, Caption)
    starting = start(request, key, "ideogram", "describe", {"image_id": body.uploadId},
                     names={"image_id": "uploadId"})
    return await when_over(request, starting, lambda done: {"success": True,
                                                            "caption": done.output.text})


@router.post("/genimageprompt")
async def genimageprompt(request: Request, key: Submitter) -> Response:
    """Text to image: `{success, data: {jobId, request_id, images, responses}}`."""
    body = await read_body(request, GenImagePrompt)
    starting = start(request, key, "ideogram", "generate", {
        "prompt": body.prompt, "style": body.style_expert, "model_version": body.model_version,
        "magic_prompt": body.use_autoprompt_option, "resolution": body.resolution,
        "num_images": body.num_images},
        names={"style": "style_expert", "magic_prompt": "use_autoprompt_option"})
    return await when_over(request, starting, lambda done: {"success": True,
                                                            "data": generation(done)})


@router.post("/upscale")
async def upscale(request: Request, key: Submitter) -> Response:
    """Upscale one image by its Ideogram ids: `{success, result: {jobId, request_id, images,
    responses}}`. An image of this key's job runs on that job's account."""
    body = await read_body(request, Upscale)
    found = await assets.job_of_image(request.app.state.ingress.pool, api_key_id=key.id,
                                      response_id=body.response_id)
    source = ({"job_id": found[0], "index": found[1]} if found else
              {"request_id": body.request_id, "response_id": body.response_id})
    starting = start(request, key, "ideogram", "upscale", {
        **source, "prompt": body.promptText, "weight": body.parent_weight,
        "model_version": body.model_version}, names={"prompt": "promptText",
                                                     "weight": "parent_weight"})
    return await when_over(request, starting, lambda done: {"success": True,
                                                            "result": generation(done)})


@router.post("/removebackground")
async def removebackground(request: Request, key: Submitter) -> Response:
    """The cut-out of an image one of this key's Ideogram jobs made (`asset_id`, its response
    id): `{success, data: {jobId, images, responses}}`."""
    body = await read_body(request, RemoveBackground)
    found = await assets.job_of_image(request.app.state.ingress.pool, api_key_id=key.id,
                                      response_id=body.asset_id)
    if found is None:
        raise ApiError(404, ErrorCode.not_found, f"asset_id: no image {body.asset_id} in a "
                                                 "completed Ideogram job of this API key")
    starting = start(request, key, "ideogram", "remove_background",
                     {"job_id": found[0], "index": found[1]}, names={})
    return await when_over(request, starting, lambda done: {"success": True,
                                                            "data": generation(done)})
