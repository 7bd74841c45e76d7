"""`GET /v1/jobs/{id}/events`: server-sent events, first the job's logged events, then live
ones from the bus, ending after the terminal one."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from producers.http.auth import requires
from producers.http.ingress import Ingress, ingress
from producers.http.routes_jobs import ERRORS, JobId, owned_job
from schemas.events import TERMINAL_EVENTS
from schemas.jobs import TERMINAL
from store import jobs as store
from store.keys import ApiKey

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

KEEPALIVE_S = 15.0
KEEPALIVE = b": keepalive\n\n"


@router.get("/{job_id}/events", response_class=StreamingResponse, responses={
    **ERRORS, 200: {"content": {"text/event-stream": {}},
                    "description": "`id:` event id, `event:` type, `data:` the event's JSON"}})
async def job_events(job_id: JobId, key: Annotated[ApiKey, Depends(requires("read"))],
                     ingress: Annotated[Ingress, Depends(ingress)]) -> StreamingResponse:
    job = await owned_job(ingress, key, job_id)
    return StreamingResponse(
        _stream(ingress, job.id, over=job.status in TERMINAL), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def frame(event_id: str, event_type: str, data_json: str) -> bytes:
    return f"id: {event_id}\nevent: {event_type}\ndata: {data_json}\n\n".encode()


async def _stream(ingress: Ingress, job_id: str, *, over: bool) -> AsyncIterator[bytes]:
    sent: set[str] = set()  # event ids: the log and the bus both carry most events
    if over:
        for chunk in (await _logged(ingress, job_id, sent))[0]:
            yield chunk
        return
    # Listening before reading the log: an event published in between is then heard live.
    async with ingress.live.listen(job_id) as inbox:
        read_log = True
        while True:
            if read_log:
                chunks, ended = await _logged(ingress, job_id, sent)
                for chunk in chunks:
                    yield chunk
                if ended:
                    return
            try:
                event = await asyncio.wait_for(inbox.get(), KEEPALIVE_S)
            except TimeoutError:
                # Quiet: keep proxies from closing, and read the log again in case the job
                # ended before we listened but was logged only after we first read.
                yield KEEPALIVE
                read_log = True
                continue
            read_log = False
            if event.id in sent:
                continue
            sent.add(event.id)
            yield frame(event.id, event.type, event.data.model_dump_json())
            if event.type in TERMINAL_EVENTS:
                return


async def _logged(ingress: Ingress, job_id: str, sent: set[str]) -> tuple[list[bytes], bool]:
    """Logged events not sent yet, and whether the job is over."""
    rows = await store.job_events(ingress.pool, job_id)
    job = await store.get_job(ingress.pool, job_id)
    over = job is None or job.status in TERMINAL or any(r["type"] in TERMINAL_EVENTS for r in rows)
    chunks = []
    for row in rows:
        if row["id"] not in sent:
            sent.add(row["id"])
            chunks.append(frame(row["id"], row["type"],
                                json.dumps(row["data"], separators=(",", ":"))))
    return chunks, over
