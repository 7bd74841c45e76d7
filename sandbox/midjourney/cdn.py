"""The CDN origin, standing in for https://cdn.midjourney.com."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request, Response

from sandbox.images import render_png
from sandbox.midjourney.state import MidjourneyState


def _not_found() -> Response:
    return Response(status_code=404, content=b"Not Found", media_type="text/plain")


async def _job_image(request: Request, job_id: str, index: int) -> Response:
    """One of the four grid images, rendered on first request; 404 until the job completed."""
    state: MidjourneyState = request.app.state.midjourney
    job = state.jobs.get(job_id)
    if job is None or not 0 <= index < job.batch_size:
        return _not_found()
    if job.progress(state.clock())[0] != "completed":
        return _not_found()
    png = state.renders.get((job_id, index))
    if png is None:
        png = await asyncio.to_thread(
            render_png,
            seed=job_id,
            index=index,
            prompt=job.prompt,
            width=job.width,
            height=job.height,
        )
        state.renders[(job_id, index)] = png
    state.stats.cdn_downloads += 1
    return Response(content=png, media_type="image/png")


async def _upload(request: Request, upload_id: str) -> Response:
    upload = request.app.state.midjourney.uploads.get(upload_id)
    if upload is None:
        return _not_found()
    return Response(content=upload.data, media_type=upload.content_type)


def create_cdn_app(state: MidjourneyState) -> FastAPI:
    app = FastAPI(title="Midjourney CDN (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.midjourney = state
    app.add_api_route("/u/{upload_id}.png", _upload, methods=["GET"])
    app.add_api_route("/{job_id}/0_{index:int}.png", _job_image, methods=["GET"])
    return app
