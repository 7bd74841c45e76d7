"""What the routes share: the pool, job inserts, the confirmed publisher, the outbox, live
events, keys. Opened and closed by the app's lifespan."""

import logging
import time
from pathlib import Path

import asyncpg
from aio_pika.abc import AbstractConnection
from fastapi import Request

from bus import topology
from bus.provider_token import HEADER, ProviderToken, TokenSeal
from bus.publisher import Publisher
from producers.http.auth import KeyCache
from producers.http.inserts import JobInserts
from producers.http.limits import KeyLimits
from producers.http.live import LiveEvents
from producers.http.outbox import Announcer, OutboxRelay, PublishedMarks, requested_event
from schemas.jobs import Job

log = logging.getLogger("wowz.http")

PUBLISH_TIMEOUT_S = 5.0


class Ingress:
    def __init__(self, *, pool: asyncpg.Pool, connection: AbstractConnection, object_root: Path,
                 public_url: str, allow_private_urls: bool, api_key_cache_s: float,
                 limits: KeyLimits | None = None,
                 providers: list[str], outbox_interval_s: float, token_seal: TokenSeal):
        self.pool = pool
        self.connection = connection
        self.object_root = object_root.resolve()
        self.public_url = public_url.rstrip("/")
        self.allow_private_urls = allow_private_urls
        self.providers = providers
        self.outbox_interval_s = outbox_interval_s
        self.token_seal = token_seal
        self.keys = KeyCache(pool, api_key_cache_s)
        self.limits = limits or KeyLimits(pool)  # default: none
        self.inserts = JobInserts(pool, max_in_flight=1)
        self.live = LiveEvents(connection)
        self.marks = PublishedMarks(pool)
        self.publisher: Publisher | None = None
        self.announcer: Announcer | None = None
        self.relay: OutboxRelay | None = None
        self.started = time.monotonic()

    async def start(self) -> None:
        # A request does not wait for a broker that is away: its job is in Postgres, and the
        # outbox relay (which tries again every few seconds anyway) publishes it once it is back.
        self.publisher = await Publisher.open(self.connection, outage_wait_s=0)
        await topology.declare(self.publisher.channel, self.providers)
        await self.marks.start()
        self.announcer = Announcer(self.publisher, self.marks, timeout_s=PUBLISH_TIMEOUT_S)
        await self.announcer.start()
        self.relay = OutboxRelay(self.pool, self.publisher, interval_s=self.outbox_interval_s)
        await self.relay.start()
        log.info("ingress started", extra={"url": self.public_url})

    async def stop(self) -> None:
        if self.relay is not None:
            await self.relay.stop()
        if self.announcer is not None:
            await self.announcer.stop()
        await self.live.stop()
        await self.marks.stop()
        if self.publisher is not None:
            await self.publisher.close()
        await self.limits.close()

    async def announce(self, job: Job, requested_by: str,
                       token: ProviderToken | None = None) -> None:
        """Hand the new job's JobRequested to the announcer, with the client's own provider
        `token` sealed in a header (kept in memory only: if this process cannot publish it, the
        relay publishes the job without it)."""
        headers = {HEADER: self.token_seal.seal(token)} if token is not None else None
        await self.announcer.add(
            requested_event(job, requested_by, own_token=token is not None), headers)


async def ingress(request: Request) -> Ingress:
    return request.app.state.ingress
