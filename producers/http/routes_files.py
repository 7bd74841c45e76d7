"""`GET /files/{bucket}/{path}`: the local object store's files, public like Supabase's public
buckets (their URLs go into webhooks and product_design rows), so without auth."""

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from producers.http.errors import ApiError, field_error
from producers.http.ingress import Ingress, ingress
from schemas.errors import ErrorCode
from schemas.http import ErrorEnvelope

router = APIRouter(tags=["files"])


# What the object store keeps: the images and videos of jobs.
KINDS = ("image/png", "image/jpeg", "image/webp", "video/mp4")


@router.get("/files/{bucket}/{path:path}", response_class=FileResponse, responses={
    400: {"model": ErrorEnvelope}, 404: {"model": ErrorEnvelope},
    200: {"description": "the object", "content": {kind: {} for kind in KINDS}}})
async def get_file(bucket: str, path: str,
                   ingress: Annotated[Ingress, Depends(ingress)]) -> FileResponse:
    parts = [bucket, *path.split("/")]
    if any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
        raise field_error("path", "must be a plain relative path (no '..', '.', or empty parts)",
                          status=400)
    target = await asyncio.to_thread(_existing_file, ingress.object_root, parts)
    if target is None:
        raise ApiError(404, ErrorCode.not_found, f"no file {bucket}/{path}")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=300"})


def _existing_file(root: Path, parts: list[str]) -> Path | None:
    """The file, if it exists and is inside `root` once links are followed."""
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target
