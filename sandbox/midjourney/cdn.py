"""The CDN origin, standing in for https://cdn.midjourney.com."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request, Response

from sandbox.images import render_png
from sandbox.midjourney.state import MidjourneyState


def _not_found() -> Response:
    return Response(status_code=404, content=b"Not Found", media_type="text/plain")


async def render(state: MidjourneyState, job_id: str, index: int) -> bytes:
    """A grid image, rendered once (in a thread) and kept."""
    png = state.renders.get((job_id, index))
    if png is None:
        job = state.jobs[job_id]
        png = await asyncio.to_thread(render_png, seed=job_id, index=index, prompt=job.prompt,
                                      width=job.width, height=job.height)
        state.renders[(job_id, index)] = png
    return png


async def prerender(state: MidjourneyState, job_id: str) -> None:
    """Render a job's images while it "generates", so that the CDN serves them at once when
    it is done, as the real one does (a download then measures transfer, not drawing)."""
    job = state.jobs.get(job_id)
    for index in range(job.batch_size if job else 0):
        if job_id not in state.jobs:
            return  # the sandbox was reset meanwhile
        await render(state, job_id, index)


async def _job_image(request: Request, job_id: str, index: int) -> Response:
    """One of the four grid images, rendered on first request; 404 until the job completed."""
    state: MidjourneyState = request.app.state.midjourney
    job = state.jobs.get(job_id)
    if job is None or not 0 <= index < job.batch_size:
        return _not_found()
    if job.progress(state.clock())[0] != "completed":
        return _not_found()
    png = await render(state, job_id, index)
    state.stats.cdn_downloads += 1
    return Response(content=png, media_type="image/png")


def fake_mp4(job_id: str, index: int) -> bytes:
    """An MP4's `ftyp` box and a payload unique to the clip: a file a player recognises as MP4,
    cheap to make (nothing downstream decodes the frames)."""
    ftyp = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    payload = f"{job_id}:{index}".encode()
    return ftyp + (8 + len(payload)).to_bytes(4, "big") + b"free" + payload


async def _job_video(request: Request, job_id: str, index: int) -> Response:
    """A clip of a completed video job; 404 otherwise."""
    state: MidjourneyState = request.app.state.midjourney
    job = state.jobs.get(job_id)
    if job is None or not job.video or not 0 <= index < job.batch_size:
        return _not_found()
    if job.progress(state.clock())[0] != "completed":
        return _not_found()
    state.stats.cdn_downloads += 1
    return Response(content=fake_mp4(job_id, index), media_type="video/mp4")


async def _upload(request: Request, upload_id: str) -> Response:
    upload = request.app.state.midjourney.uploads.get(upload_id)
    if upload is None:
        return _not_found()
    return Response(content=upload.data, media_type=upload.content_type)


def create_cdn_app(state: MidjourneyState) -> FastAPI:
    app = FastAPI(title="Midjourney CDN (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.midjourney = state
    app.add_api_route("/u/{upload_id}.png", _upload, methods=["GET"])
    app.add_api_route("/video/{job_id}/{index:int}.mp4", _job_video, methods=["GET"])
    app.add_api_route("/{job_id}/0_{index:int}.png", _job_image, methods=["GET"])
    return app
