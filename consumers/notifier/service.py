"""The notifier service: consumes job events, sends the webhook each job asked for, once per
event and URL, retrying through the bus's delay queues (never a sleep in a handler)."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import asyncpg
import httpx
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from bus import metrics, topology
from bus.consumer import Reject, Retry, Subscription, attempt_of, consume, count_of
from bus.publisher import Publisher
from consumers.notifier import payload, signing, transport
from schemas.events import (
    Event,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    WebhookDelivered,
    WebhookExhausted,
)
from schemas.jobs import TERMINAL
from store import deliveries, keys
from store.jobs import get_job_row

log = logging.getLogger("wowz.notifier")

REPLAY = "x-wowz-replay"  # set by a replay: send again even if delivered before
NOTIFIED = (JobStarted, JobProgress, JobCompleted, JobFailed)
# A job published straight on the bus may reach us before the persister wrote its row (the
# ingress writes it first; a persister busy with a backlog can take a while): its events wait,
# 1 s three times then 5 s at a time (the delay queues' steps), about a minute in all, counted
# apart from the delivery attempts so that the webhook's retry schedule starts at its start.
ROW_WAITS = 14
ROW_WAITS_HEADER = "x-wowz-row-waits"
PERSISTED_POLL_S = 0.01


class Notifier:
    name = "notifier"

    def __init__(self, pool: asyncpg.Pool, connection: AbstractConnection, *,
                 allow_private_urls: bool, timeout_s: float = 15.0,
                 retry_delays_s: list[int] = [5, 30, 120, 600, 1800, 7200, 21600],  # noqa: B006
                 prefetch: int = 64, persisted_wait_s: float = 2.0,
                 row_waits: int = ROW_WAITS):
        self.pool = pool
        self.connection = connection
        self.allow_private_urls = allow_private_urls
        self.timeout_s = timeout_s
        self.retry_delays_s = list(retry_delays_s)
        self.prefetch = prefetch
        self.persisted_wait_s = persisted_wait_s
        self.row_waits = row_waits
        self._channel: AbstractChannel | None = None
        self._publisher: Publisher | None = None
        self._client: httpx.AsyncClient | None = None
        self._subscription: Subscription | None = None
        self._inflight: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._client = transport.new_client()
        self._publisher = await Publisher.open(self.connection)
        self._channel = await self.connection.channel()
        self._subscription = await consume(
            self._channel, topology.NOTIFIER_QUEUE, self._on_event, publisher=self._publisher,
            prefetch=self.prefetch)
        log.info("notifier consuming", extra={"prefetch": self.prefetch})

    async def stop(self) -> None:
        """Stop taking events, let the deliveries under way finish (each is bounded by the
        timeout), then close; what is still unacked goes back to the queue."""
        if self._subscription is not None:
            await self._subscription.cancel()
            self._subscription = None
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=self.timeout_s + 5)
        for closing in (self._channel, self._publisher):
            if closing is not None:
                await closing.close()
        if self._client is not None:
            await self._client.aclose()
        self._channel = self._publisher = self._client = None

    async def _on_event(self, event: Event, message: AbstractIncomingMessage) -> None:
        # The task is bus.consumer's, which settles the message after us: stop() waits for it.
        task = asyncio.current_task()
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        if isinstance(event.data, NOTIFIED):
            await self._handle(event, message)

    async def _handle(self, event: Event, message: AbstractIncomingMessage) -> None:
        job_id = event.data.job_id
        row = await get_job_row(self.pool, job_id)
        if row is None:
            waits = count_of(message, ROW_WAITS_HEADER)
            if waits < self.row_waits:
                raise Retry(1 if waits < 3 else 5, f"job {job_id} not written yet",
                            counter=ROW_WAITS_HEADER)
            raise Reject(f"job {job_id} not found after {waits} waits; no webhook to send")
        if not payload.wanted(event.data, row["webhook"]):
            return
        if isinstance(event.data, (JobCompleted, JobFailed)):
            row = await self._persisted(event, row)
        url = row["webhook"]["url"]
        if (message.headers or {}).get(REPLAY) is None and await deliveries.delivered(
                self.pool, event_id=event.id, url=url):
            log.info("webhook already delivered", extra={"job_id": job_id, "event_id": event.id})
            return
        await self._deliver(event, row, url, attempt_of(message))

    async def _persisted(self, event: Event, row: asyncpg.Record) -> asyncpg.Record:
        """The row once the persister wrote this terminal event, so that a client reading the
        job when the webhook arrives sees the same state. Waited for `persisted_wait_s` at most:
        the body is built from the event, so a late persister delays the webhook but never
        holds it back (nor retries it forever)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.persisted_wait_s
        while row["seq"] < event.data.seq and row["status"] not in TERMINAL:
            if loop.time() > deadline:
                log.warning("webhook sent before the job row shows it",
                            extra={"job_id": row["id"], "event_type": event.type})
                break
            await asyncio.sleep(PERSISTED_POLL_S)
            row = await get_job_row(self.pool, row["id"])
        return row

    async def _deliver(self, event: Event, row: asyncpg.Record, url: str, attempt: int) -> None:
        """One attempt (`attempt` 0 is the first): send, record, then delivered, retry or
        exhausted."""
        body = payload.build(event, row)
        result = await self._send(event, row, url, payload.encode(body))
        retry_s = self._retry_delay(result, attempt)
        next_at = (datetime.now(UTC) + timedelta(seconds=topology.delay_step(retry_s))
                   if retry_s is not None else None)
        delivery_id = await deliveries.record_attempt(
            self.pool, job_id=row["id"], event_id=event.id, event_type=event.type, url=url,
            attempt=attempt + 1, status_code=result.status_code, error=result.error,
            duration_ms=result.duration_ms, payload=body, next_attempt_at=next_at,
            delivered=result.delivered, exhausted=not result.delivered and retry_s is None)
        self._log(event, url, result, attempt + 1, retry_s)
        metrics.WEBHOOK_SECONDS.observe(result.duration_ms / 1000)
        facts = {"delivery_id": delivery_id, "job_id": row["id"], "event_id": event.id,
                 "url": url, "attempt": attempt + 1, "status_code": result.status_code}
        if result.delivered:
            await self._publisher.publish(Event.of(WebhookDelivered(**facts)))
        elif retry_s is not None:
            raise Retry(retry_s, result.error or f"HTTP {result.status_code}")
        else:
            await self._publisher.publish(Event.of(WebhookExhausted(
                error=_why_exhausted(result), **facts)))

    async def _send(self, event: Event, row: asyncpg.Record, url: str,
                    content: bytes) -> transport.Outcome:
        headers = signing.headers(message_id=event.id, body=content,
                                  secrets=await self._secrets(row), now=datetime.now(UTC))
        return await transport.post(self._client, url, content, headers,
                                    allow_private=self.allow_private_urls,
                                    timeout_s=self.timeout_s)

    def _retry_delay(self, result: transport.Outcome, attempt: int) -> float | None:
        """Seconds until the next attempt, or None when there is none."""
        if result.delivered or result.final or attempt >= len(self.retry_delays_s):
            return None
        return max(self.retry_delays_s[attempt], result.retry_after_s or 0)

    async def _secrets(self, row: asyncpg.Record) -> list[str]:
        secrets = []
        if row["api_key_id"] is not None:
            secrets = await keys.webhook_secrets(self.pool, row["api_key_id"])
        if not secrets:
            log.warning("webhook sent unsigned: the job has no API key (published on the bus)",
                        extra={"job_id": row["id"]})
        return secrets

    def _log(self, event: Event, url: str, result: transport.Outcome, attempt: int,
             retry_s: float | None) -> None:
        # The host only: the query string can carry a signature (n8n resume URLs).
        outcome = ("delivered" if result.delivered else
                   "retrying" if retry_s is not None else "exhausted")
        metrics.WEBHOOK_ATTEMPTS.labels(outcome).inc()
        log.log(logging.INFO if result.delivered else logging.WARNING, "webhook %s", outcome,
                extra={"job_id": event.data.job_id, "event_type": event.type,
                       "host": urlsplit(url).hostname, "status": result.status_code,
                       "error": result.error, "duration_ms": result.duration_ms,
                       "attempt": attempt, "retry_in_s": retry_s})


def _why_exhausted(result: transport.Outcome) -> str:
    if result.status_code == transport.GONE:
        return "410 Gone: the receiver asked for no more deliveries"
    if result.refused:
        return f"refused: {result.error}"
    return f"retries used up; last: {result.error or f'HTTP {result.status_code}'}"
