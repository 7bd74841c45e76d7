"""`GET /metrics`: Prometheus' text format. Behind an API key like everything but /health
(Prometheus sends one with `authorization: {credentials: ...}` in its scrape config)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from producers.http.auth import requires
from store.keys import ApiKey

router = APIRouter(tags=["ops"], include_in_schema=False)


@router.get("/metrics")
async def metrics(_: Annotated[ApiKey, Depends(requires("read"))]) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
