"""Live rows for the jobs table: every job event, from a private queue this process consumes
only while a dashboard listens, reduced to what a row shows and sent to the browsers of the
key that owns the job."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from bus import topology
from bus.consumer import decode
from producers.http import sse
from producers.http.dashboard.pages import Viewer, to_login
from producers.http.dashboard.render import local
from producers.http.ingress import Ingress, ingress
from producers.http.routes_jobs import JobId
from schemas.events import Event, JobRequested
from store.events import FAILED_STATUS
from store.keys import ApiKey

log = logging.getLogger("wowz.http.dashboard")
router = APIRouter(prefix="/ui")

KEYS = ["job.requested.#", "job.started.#", "job.progress.#", "job.completed.#",
        "job.failed.#"]
KEEPALIVE_S = 15.0
STATUS = {"requested": "pending", "started": "processing", "progress": "processing",
          "completed": "completed", "failed": "failed"}


class Feed:
    def __init__(self, connection: AbstractConnection):
        self.connection = connection
        self._inboxes: set[asyncio.Queue[Event]] = set()
        self._channel: AbstractChannel | None = None
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[Event]]:
        inbox: asyncio.Queue[Event] = asyncio.Queue(maxsize=10_000)
        async with self._lock:
            if self._channel is None:
                self._channel = await self.connection.channel()
                queue = await topology.declare_listener(self._channel, KEYS)
                await queue.consume(self._on_message, no_ack=True)  # a view, nothing to redo
            self._inboxes.add(inbox)
        try:
            yield inbox
        finally:
            async with self._lock:
                self._inboxes.discard(inbox)
                if not self._inboxes and self._channel is not None:
                    channel, self._channel = self._channel, None
                    await channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = decode(message)
        except ValueError as exc:
            log.warning("ignoring undecodable event: %s", exc)
            return
        for inbox in self._inboxes:
            if not inbox.full():  # a stalled browser misses rows rather than growing memory
                inbox.put_nowait(event)


def feed_of(request: Request) -> Feed:
    state = request.app.state
    if getattr(state, "dashboard_feed", None) is None:
        state.dashboard_feed = Feed(state.ingress.connection)
    return state.dashboard_feed


def row_update(request: Request, event: Event) -> dict[str, Any]:
    """What a table row shows, from the event alone (the persister may not have written it)."""
    data = event.data
    name = event.type.rsplit(".", 1)[-1]
    update: dict[str, Any] = {"job_id": data.job_id, "event": name, "status": STATUS[name],
                              "provider": data.provider, "time": event.time.isoformat()}
    if isinstance(data, JobRequested):
        update.update(action=data.action, created_at=event.time.isoformat())
    if getattr(data, "account_id", None):
        update["account_id"] = data.account_id
    if name == "progress":
        update.update(percent=data.percent, stage=data.stage)
    if name == "completed":
        update.update(percent=100, images=[local(request, i.url) for i in data.output.images])
    if name == "failed":
        update.update(status=FAILED_STATUS.get(data.error.code, "failed"),
                      error=f"{data.error.code}: {data.error.message}")
    return update


async def _owner(ingress: Ingress, event: Event, owners: dict[str, str | None]) -> str | None:
    data = event.data
    if data.job_id not in owners:
        if isinstance(data, JobRequested):
            owners[data.job_id] = data.requested_by
        else:
            owners[data.job_id] = await ingress.pool.fetchval(
                "select api_key_id from jobs where id = $1", data.job_id)
    return owners[data.job_id]


async def _rows(request: Request, ingress: Ingress, key: ApiKey) -> AsyncIterator[bytes]:
    owners: dict[str, str | None] = {}
    async with feed_of(request).listen() as inbox:
        yield b"retry: 2000\n\n"
        while True:
            try:
                event = await asyncio.wait_for(inbox.get(), KEEPALIVE_S)
            except TimeoutError:
                yield sse.KEEPALIVE
                continue
            if await _owner(ingress, event, owners) != key.id:
                continue
            yield sse.frame(event.id, "row", json.dumps(row_update(request, event)))


@router.get("/stream")
async def stream(request: Request, key: Viewer,
                 ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """The caller's job events as row updates, until the page goes away."""
    if key is None:
        return to_login(request)
    return StreamingResponse(_rows(request, ingress, key), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/jobs/{job_id}/events")
async def job_events(request: Request, job_id: JobId, key: Viewer,
                     ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """The API's event stream of one job, for the job page (which has the cookie, not the
    header)."""
    if key is None:
        return to_login(request)
    return await sse.job_events(job_id, key, ingress)
