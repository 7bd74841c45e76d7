"""One account = one consumer on its provider's queue, with prefetch = the account's concurrency,
so RabbitMQ balances jobs across accounts and replicas. An account whose credentials fail stops
consuming (its jobs go to the others) until a re-check finds it healthy again. An operator's
`disable` stops it the same way (running jobs finish) until `enable`."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from bus import metrics
from bus.consumer import Requeue, Subscription, attempt_of, consume, unsettled
from bus.provider_token import HEADER as PROVIDER_TOKEN
from bus.publisher import Publisher
from bus.topology import provider_queue
from consumers.providers.accounts import AccountState
from consumers.providers.context import Adapter
from consumers.providers.runner import JobRunner
from schemas.errors import WowzError
from schemas.events import AccountHealth, Event, JobRequested
from store import accounts as account_rows

log = logging.getLogger("wowz.worker")


class AccountWorker:
    def __init__(self, *, state: AccountState, adapter: Adapter, runner: JobRunner,
                 connection: AbstractConnection, publisher: Publisher,
                 reload_credentials: Callable[[], Awaitable[bool]] | None = None,
                 recheck_s: float = 30.0):
        self.state = state
        self.adapter = adapter
        self.runner = runner
        self.connection = connection
        self.publisher = publisher
        self.reload_credentials = reload_credentials
        self.recheck_s = recheck_s
        self.queue = provider_queue(state.account.provider)
        self._channel: AbstractChannel | None = None
        self._subscription: Subscription | None = None
        self._recheck: asyncio.Task | None = None
        self._closing: asyncio.Task | None = None
        self._idle = asyncio.Event()
        self._held: set[AbstractIncomingMessage] = set()  # deliveries handled, maybe unsettled
        self._in_flight = metrics.IN_FLIGHT.labels(state.account.provider, state.account.id)
        self._idle.set()

    @property
    def account_id(self) -> str:
        return self.state.account.id

    async def start(self) -> None:
        if not self.state.account.enabled:
            self.state.set_health(False, "disabled")
            return
        # An operator's switch and today's count outlive restarts: kept in the accounts table.
        disabled, self.state.jobs_today = await account_rows.kept(self.runner.pool,
                                                                  self.account_id)
        if disabled:
            self.state.disabled = True
            log.info("account disabled by an operator", extra={"account": self.account_id})
            return
        await self._resume()

    async def disable(self) -> None:
        """No new jobs; the running ones finish, then the channel closes."""
        if self.state.disabled:
            return
        self.state.disabled = True
        log.info("account disabled", extra={"account": self.account_id})
        if self._recheck is not None:
            self._recheck.cancel()
        if self._closing is None or self._closing.done():
            self._closing = asyncio.create_task(self._close_when_idle())

    async def enable(self) -> None:
        if not self.state.disabled:
            return
        self.state.disabled = False
        log.info("account enabled", extra={"account": self.account_id})
        await self._resume()

    async def _resume(self) -> None:
        """Consume if healthy (and under the cap), else re-check until it is."""
        if self._recheck is not None:
            self._recheck.cancel()  # one path to consuming, not two
        if not self.state.capped and await self.check():
            await self._consume()
        else:
            self._recheck = asyncio.create_task(self._recheck_loop())

    async def check(self) -> bool:
        try:
            await self.adapter.check_health()
        except WowzError as exc:
            await self._set_health(False, f"{exc.code}: {exc.message}")
            return False
        await self._set_health(True, None)
        return True

    async def _consume(self) -> None:
        if self._closing is not None:
            await self._closing
        if self._channel is None or self._channel.is_closed:
            self._channel = await self.connection.channel()
        self._subscription = await consume(self._channel, self.queue, self._handle,
                                           publisher=self.publisher,
                                           prefetch=self.state.account.concurrency,
                                           on_undecodable=self._undecodable)
        log.info("account consuming", extra={"account": self.account_id,
                                             "prefetch": self.state.account.concurrency})

    async def _stop_consuming(self) -> None:
        """No new jobs for this account; deliveries already here are requeued by `_handle`."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            await subscription.cancel()

    async def _undecodable(self, message: AbstractIncomingMessage, reason: str) -> None:
        """A request that does not even decode still fails its job, when it names one."""
        try:
            body = json.loads(message.body)
        except ValueError:
            return
        job_id = body.get("job_id") if isinstance(body, dict) else None
        if isinstance(job_id, str) and job_id:
            await self.runner.refuse(job_id=job_id, provider=self.state.account.provider,
                                     problem=reason)

    async def _handle(self, event: Event, message: AbstractIncomingMessage) -> None:
        self._held = set(filter(unsettled, self._held)) | {message}
        if not isinstance(event.data, JobRequested):
            return  # only requests are routed here; anything else has nothing to do
        if self.state.disabled or not self.state.healthy or self.state.capped:
            raise Requeue()
        owner = await self._owner(event.data)
        if owner is not None and owner != self.account_id:
            return await self.runner.elsewhere(
                event.data, owner=owner, waited_s=(datetime.now(UTC) - event.time).total_seconds())
        if not message.redelivered and attempt_of(message) == 0:
            metrics.QUEUE_WAIT.labels(self.state.account.provider).observe(
                (datetime.now(UTC) - event.time).total_seconds())
        self.state.running += 1
        self._in_flight.inc()
        self._idle.clear()
        try:
            self.state.count_job()
            await self._save_state()
            await self.runner.run(event.data, adapter=self.adapter, account_id=self.account_id,
                                  fresh=not message.redelivered and attempt_of(message) == 0,
                                  sealed_token=(message.headers or {}).get(PROVIDER_TOKEN))
        finally:
            self.state.running -= 1
            self._in_flight.dec()
            await self._save_state()
            if self.state.running == 0:
                # Set last, with no pause until the delivery is settled: a close waiting for
                # idle must not run first (the finished job would come back, counted again).
                self._idle.set()
        if self.state.capped:
            await self._pause(f"daily cap of {self.state.account.daily_cap} jobs reached")

    async def _save_state(self) -> None:
        """Into the `accounts` table, for whoever lists accounts; a failed write is logged and
        must not fail the job."""
        try:
            await account_rows.save_account(self.runner.pool, self.state.view())
        except (asyncpg.PostgresError, OSError) as exc:
            log.warning("account state not saved: %s", exc, extra={"account": self.account_id})

    async def _owner(self, job: JobRequested) -> str | None:
        """The account a job must run on, when the adapter binds it to one (an action on an
        earlier job, which only that job's account can see); None when any may."""
        account_for = getattr(self.adapter, "account_for", None)
        return None if account_for is None else await account_for(job, self.runner.pool)

    async def unhealthy(self, reason: str) -> None:
        """The account cannot work (credentials, quota, captcha): no jobs until a re-check
        finds it healthy."""
        if await self._set_health(False, reason):
            await self._pause(reason)

    async def _pause(self, reason: str) -> None:
        log.warning("account paused", extra={"account": self.account_id, "reason": reason})
        if self._closing is None or self._closing.done():
            self._closing = asyncio.create_task(self._close_when_idle())
        if self._recheck is None or self._recheck.done():
            self._recheck = asyncio.create_task(self._recheck_loop())

    async def _close_when_idle(self) -> None:
        """Stop new deliveries, let the running jobs end, then close the channel. Deliveries
        already on their way when the consumer was cancelled are never dispatched (aiormq drops
        them unacked); only closing the channel returns them to the queue."""
        await self._stop_consuming()
        await self._drained()
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            await channel.close()

    async def _drained(self) -> None:
        """No job running and every delivery settled. A delivery is settled after its handler
        returns (a requeue first publishes its delayed copy): a channel closed before the ack
        loses it, and the ack then reaching a closing channel makes the broker close the whole
        connection."""
        await self._idle.wait()
        while (self._channel is not None and not self._channel.is_closed
               and any(map(unsettled, self._held))):
            await asyncio.sleep(0.01)

    async def _recheck_loop(self) -> None:
        """Until healthy: reload the credentials (a replaced cookie file is noticed without a
        restart) and check again."""
        while True:
            await asyncio.sleep(self.recheck_s)
            if self.state.disabled:
                return  # enable() resumes it
            if self.state.capped:
                continue
            if self.reload_credentials is not None:
                await self.reload_credentials()
            if await self.check():
                await self._consume()
                return

    async def _set_health(self, healthy: bool, reason: str | None) -> bool:
        changed = self.state.set_health(healthy, reason)
        await self._save_state()
        metrics.ACCOUNT_HEALTHY.labels(self.state.account.provider, self.account_id).set(
            int(healthy))
        if changed or not healthy:
            await self.publisher.publish(Event.of(AccountHealth(
                account_id=self.account_id, provider=self.state.account.provider,
                healthy=healthy, reason=reason)))
        return changed

    async def stop(self, grace_s: float = 30.0) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
        await self._stop_consuming()  # no new jobs; the running ones may finish
        try:
            await asyncio.wait_for(self._drained(), grace_s)
        except TimeoutError:
            log.warning("jobs still running at stop; they go back to the queue",
                        extra={"account": self.account_id})
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()  # unacked messages go back to the queue
        await self.adapter.close()
