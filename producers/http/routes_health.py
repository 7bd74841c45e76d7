"""`GET /health`, without auth: can this process reach Postgres and RabbitMQ?"""

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from producers.http.ingress import Ingress, ingress
from schemas.http import Health

router = APIRouter(tags=["ops"])
log = logging.getLogger("wowz.http")

CHECK_TIMEOUT_S = 2.0


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request, ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    checks = {"database": await _database(ingress), "bus": _bus(ingress)}
    ok = all(v == "ok" for v in checks.values())
    stats = request.app.state.request_stats
    uptime = round(time.monotonic() - ingress.started, 3)
    body = Health(
        status="ok" if ok else "unavailable", checks=checks, uptime_s=uptime, uptime=uptime,
        totalRequests=stats.total, successfulRequests=stats.total - stats.failed,
        failedRequests=stats.failed,
        successRate=round(100 * (stats.total - stats.failed) / stats.total, 2)
        if stats.total else None,
        lastRequest=stats.last_request.isoformat() if stats.last_request else None,
        lastError=stats.last_error, timestamp=datetime.now(UTC).isoformat())
    return Response(body.model_dump_json(), status_code=200 if ok else 503,
                    media_type="application/json")


async def _database(ingress: Ingress) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await ingress.pool.fetchval("select 1")
    except Exception:  # whatever it is, the answer is "not reachable"; the cause goes to the log
        log.exception("health: database check failed")
        return "unreachable"
    return "ok"


def _bus(ingress: Ingress) -> str:
    publisher = ingress.publisher
    if ingress.connection.is_closed or publisher is None or publisher.channel.is_closed:
        return "unreachable"
    return "ok"
