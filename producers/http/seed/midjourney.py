"""`/midjourney/*` of the seed's Midjourney service."""

import json
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from producers.http.accept import accept
from producers.http.auth import requires
from producers.http.ingress import Ingress, ingress
from schemas.inputs.midjourney import Mode
from schemas.jobs import Job, JobRequest, parse_request
from store.accounts import list_accounts
from store.keys import ApiKey

router = APIRouter(prefix="/midjourney", tags=["seed"])
M = TypeVar("M", bound=BaseModel)
# The seed's documents and clients say "relaxed" for Midjourney's relax mode.
SeedMode = Annotated[Mode | None, BeforeValidator(lambda v: "relax" if v == "relaxed" else v)]


class SeedOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")  # the seed ignored what it did not know

    chaos: int | None = None
    ar: str | None = None
    stylize: int | None = None
    weird: int | None = None
    version: str | int | float | None = None
    quality: float | None = None
    stop: int | None = None
    tile: bool | None = None
    niji: int | None = None
    mode: SeedMode = None
    private: bool | None = None


class GenImage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(description="required")
    url_image: str | None = Field(None, description="an image prompt, put before the prompt")
    options: SeedOptions = Field(default_factory=SeedOptions)
    idea_id: str | None = None
    design_id: str | None = None
    user_id: str | None = None


def _job_request(body: GenImage) -> dict[str, Any]:
    options = body.options.model_dump(exclude_none=True)
    if "version" in options:
        options["version"] = str(options["version"])
    job_input: dict[str, Any] = {"prompt": body.prompt, "options": options}
    if body.url_image:
        job_input["image_urls"] = [body.url_image]
    metadata = {k: v for k, v in (("idea_id", body.idea_id), ("design_id", body.design_id),
                                  ("user_id", body.user_id)) if v is not None}
    return {"provider": "midjourney", "action": "imagine", "input": job_input,
            "metadata": metadata}


async def _accept(ingress: Ingress, key: ApiKey, data: dict[str, Any]) -> tuple[JobRequest, Job]:
    try:
        request = parse_request(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    job, _ = await accept(ingress, request, key=key, idempotency_key=None)
    return request, job


def _from_query(request: Request, model: type[M], options: type[BaseModel]) -> M:
    """The body from query parameters: `options.<name>` or the bare name of an option."""
    query = dict(request.query_params)
    chosen = {k.removeprefix("options."): v for k, v in query.items()
              if k.removeprefix("options.") in options.model_fields}
    try:
        return model.model_validate({**query, "options": chosen})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


async def _genimage(body: GenImage, key: ApiKey, ingress: Ingress) -> Response:
    request, job = await _accept(ingress, key, _job_request(body))
    mode = request.input["options"]["mode"]
    answer = {
        "success": True, "message": "Image generation started",
        "data": {"jobId": job.id, "prompt": body.prompt, "status": job.status.value,
                 "idea_id": body.idea_id, "design_id": body.design_id},
        "jobId": job.id, "batchSize": 4, "status": job.status.value, "retryCount": 0,
        "mode": mode, "timestamp": datetime.now(UTC).isoformat()}
    return Response(json.dumps(answer), media_type="application/json")


@router.post("/genimage")
async def genimage(body: GenImage, key: Annotated[ApiKey, Depends(requires("submit"))],
                   ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """Start a Midjourney imagine job (the seed's route); poll `GET /api/job/{jobId}` or, better,
    use `/v1/jobs` with a webhook."""
    return await _genimage(body, key, ingress)


@router.get("/genimage")
async def genimage_query(request: Request, key: Annotated[ApiKey, Depends(requires("submit"))],
                         ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """The same with the fields as query parameters (`options.<name>` or the bare name)."""
    return await _genimage(_from_query(request, GenImage, SeedOptions), key, ingress)


class VideoOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    chaos: int | None = None  # accepted as the seed did; a video takes no chaos, ar or private
    ar: str | None = None
    motion: str | None = None
    mode: SeedMode = None
    private: bool | None = None


class GenVideo(BaseModel):
    model_config = ConfigDict(extra="ignore")

    image_url: str = Field(description="required: the image to animate")
    text_prompt: str | None = None
    options: VideoOptions = Field(default_factory=VideoOptions)


async def _genvideo(body: GenVideo, key: ApiKey, ingress: Ingress) -> Response:
    job_input = {"image_url": body.image_url, "prompt": body.text_prompt or "",
                 **body.options.model_dump(include={"motion", "mode"}, exclude_none=True)}
    _, job = await _accept(ingress, key, {"provider": "midjourney", "action": "video",
                                          "input": job_input})
    answer = {
        "success": True, "message": "Video generation started",
        "data": {"jobId": job.id, "status": job.status.value}, "jobId": job.id,
        "retryCount": 0, "imageUrl": body.image_url, "prompt": body.text_prompt,
        "timestamp": datetime.now(UTC).isoformat()}
    return Response(json.dumps(answer), media_type="application/json")


@router.post("/genvideo")
async def genvideo(body: GenVideo, key: Annotated[ApiKey, Depends(requires("submit"))],
                   ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """Start a Midjourney video job from an image (the seed's route); its answer also carries
    `jobId`, for `GET /api/job/{jobId}` (the videos are in `/v1/jobs/{id}` output.videos)."""
    return await _genvideo(body, key, ingress)


@router.get("/genvideo")
async def genvideo_query(request: Request, key: Annotated[ApiKey, Depends(requires("submit"))],
                         ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """The same with the fields as query parameters (`options.<name>` or the bare name)."""
    return await _genvideo(_from_query(request, GenVideo, VideoOptions), key, ingress)


@router.get("/status")
async def status(key: Annotated[ApiKey, Depends(requires("read"))],
                 ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """The seed's login check, from the Midjourney accounts as their services last wrote them:
    logged in when one is healthy; `uptime` since the longest-healthy one became healthy."""
    accounts = await list_accounts(ingress.pool, provider="midjourney")
    healthy = [a for a in accounts if a["healthy"] and a["enabled"]]
    since = min((a["since"] for a in healthy), default=None)
    answer = {
        "success": True, "isLoggedIn": bool(healthy),
        "status": "running" if healthy else "error" if accounts else "stopped",
        "uptime": int((datetime.now(UTC) - since).total_seconds()) if since else 0,
        "accounts": [{"id": a["id"], "healthy": a["healthy"], "reason": a["reason"]}
                     for a in accounts]}
    return Response(json.dumps(answer), media_type="application/json")
