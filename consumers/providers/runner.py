"""Runs one job on one account: claim, started, the adapter, then exactly one terminal event.

Outcomes for the message: return (ack), `Retry` (rate limits, transient provider errors: back
through a delay queue), `Requeue` (the account's credentials expired: another account takes it).
An error that is the account's (credentials, quota, captcha) also pauses that account."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg
from pydantic import ValidationError

from bus import metrics
from bus.consumer import Reject, Requeue, Retry
from bus.provider_token import ProviderToken, TokenSeal
from bus.publisher import Publisher
from consumers.providers.accounts import AccountState
from consumers.providers.context import Adapter, JobContext, unbroken
from schemas.errors import AuthExpired, ErrorCode, RateLimited, WowzError
from schemas.events import Event, JobCompleted, JobEvent, JobFailed, JobRequested, JobStarted
from schemas.inputs import INPUTS
from schemas.jobs import JobError
from store import runs
from store.db import persistently
from store.objects import ObjectStore

log = logging.getLogger("wowz.runner")

MAX_ATTEMPTS = 3
MAX_STRETCH = 4  # how far progress may push a job's deadline, in multiples of its timeout
# The account cannot work now, though the job is fine: the job fails with the code (the issue
# asks so: no silent wait) and the account pauses until its health check passes again.
ACCOUNT_TROUBLE = frozenset({ErrorCode.quota_exhausted, ErrorCode.captcha_required})
# A refusal is no attempt of its own: its seq is above every attempt's (attempt x 1e6 + n, see
# context.Seq), so that it ends a job an earlier attempt started, and exact in JavaScript.
REFUSED_SEQ = 2**53 - 1


async def _nobody(account_id: str, reason: str) -> None:
    log.warning("no worker to pause account %s: %s", account_id, reason)


class JobRunner:
    def __init__(self, *, pool: asyncpg.Pool, publisher: Publisher, objects: ObjectStore,
                 token_seal: TokenSeal | None = None):
        self.pool = pool
        self.publisher = publisher
        self.objects = objects
        self.token_seal = token_seal  # opens jobs' own provider tokens (None: refused)
        self.running: dict[str, asyncio.Task] = {}
        # Jobs a delivery is being handled for, from its first await: another copy of the
        # request handed to this process meanwhile waits for it, then finds the job finished or
        # resumes it, instead of running beside it. A broker closing the connection leaves no
        # such first copy (aiormq cancels its handlers): what outlives them is `submits`.
        self.handling: dict[str, asyncio.Event] = {}
        # Provider submissions on their way, by job id (JobContext.submit): they outlive the
        # handler that started them, which the broker closing its connection cancels.
        self.submits: dict[str, asyncio.Task[str]] = {}
        # Terminal events being published and recorded, by job id (_finish): the same, at the
        # other end of a job.
        self.finishing: dict[str, asyncio.Task[None]] = {}
        # The healthy accounts of this process, so that a redelivered job resumes on the
        # account that submitted it even when another account's consumer received it.
        self.peers: Callable[[], dict[str, Adapter]] = dict
        # Every account of this process (configured, whatever its health), by id.
        self.states: Callable[[], dict[str, AccountState]] = dict
        # Stops an account taking jobs until its health check passes again (its worker does).
        self.pause_account: Callable[[str, str], Awaitable[None]] = _nobody
        self.cancelled: set[str] = set()

    def cancel(self, job_id: str) -> bool:
        """Cancel the job if it runs here; it then ends with `failed`/`cancelled`."""
        task = self.running.get(job_id)
        if task is None:
            return False
        self.cancelled.add(job_id)
        task.cancel()
        return True

    async def refuse(self, *, job_id: str, provider: str, problem: str,
                     code: ErrorCode = ErrorCode.bad_input) -> None:
        """A request we cannot run (bad input, unknown action, no account for it): the job
        fails with `code`."""
        await self.publisher.publish(Event.of(JobFailed(
            job_id=job_id, provider=provider, seq=REFUSED_SEQ, attempts=0,
            error=JobError(code=code, message=problem))))
        log.warning("job refused", extra={"job_id": job_id, "provider": provider,
                                          "code": str(code), "error": problem[:200]})

    async def elsewhere(self, job: JobRequested, *, owner: str, waited_s: float) -> None:
        """`job` acts on an earlier job of account `owner`, which alone can see it (the provider
        will not let another account act on it). Back to the queue for `owner` while it takes
        jobs; while it is paused or capped, waiting within the job's timeout (counted from the
        request); then, or at once if `owner` is not configured, the job fails `no_account`."""
        state = self.states().get(owner)
        away = _away(state) if state is not None else "not configured"
        if away is None:
            raise Retry(1.0, f"job {job.job_id} runs on account {owner}")
        if state is None:
            problem = f"account {owner}, which made the job acted on, is not configured"
        elif waited_s < job.timeout_s:
            raise Retry(min(5.0, job.timeout_s - waited_s),
                        f"job {job.job_id} waits for account {owner}: {away}")
        else:
            problem = (f"account {owner}, which made the job acted on, has not taken jobs for "
                       f"{waited_s:.0f} s ({away}); only it can act on that job")
        await self.refuse(job_id=job.job_id, provider=job.provider, problem=problem,
                          code=ErrorCode.no_account)

    async def run(self, job: JobRequested, *, adapter: Adapter, account_id: str,
                  fresh: bool = False, sealed_token: str | bytes | None = None) -> None:
        """`fresh`: a first delivery (not a redelivery after a crash, not a retry).
        `sealed_token`: the message's sealed provider token header, if any."""
        problem = input_problem(job)
        if problem is not None:
            await self.refuse(job_id=job.job_id, provider=job.provider, problem=problem)
            raise Reject(f"bad input: {problem}")
        while (first := self.handling.get(job.job_id)) is not None:
            log.info("a copy of this request is being handled; waiting for it",
                     extra=_ctx(job, account_id))
            await first.wait()
        done = self.handling[job.job_id] = asyncio.Event()
        try:
            await self._run(job, adapter=adapter, account_id=account_id, fresh=fresh,
                            sealed_token=sealed_token)
        finally:
            del self.handling[job.job_id]
            done.set()

    async def _run(self, job: JobRequested, *, adapter: Adapter, account_id: str,
                   fresh: bool, sealed_token: str | bytes | None) -> None:
        if (finishing := self.finishing.get(job.job_id)) is not None:
            # An earlier copy's handler was cancelled while its terminal event was on its way:
            # that goes on and records the finish, which this copy then finds.
            await asyncio.wait([finishing])
        if await runs.finished(self.pool, job.job_id):
            log.info("job already finished, redelivery ignored", extra=_ctx(job, account_id))
            return
        if job.job_id in self.running or (fresh and await runs.claimed(self.pool, job.job_id)):
            # A second copy of a request (the outbox relay republished a job whose confirm it
            # never recorded): the first copy is running, or will be redelivered if it died.
            log.info("duplicate request ignored", extra=_ctx(job, account_id))
            return
        if (submitting := self.submits.get(job.job_id)) is not None:
            # An earlier copy's handler was cancelled (its connection closed) while its
            # submission was on its way: that goes on and records the provider's job id, which
            # this copy resumes on the account that submitted it, instead of submitting again.
            log.info("a submission of this job is on its way; waiting for its answer",
                     extra=_ctx(job, account_id))
            await asyncio.wait([submitting])
        peers = self.peers()
        run = await runs.claim(self.pool, job_id=job.job_id, account_id=account_id,
                               reachable=[account_id, *peers])
        if run.account_id != account_id:
            adapter, account_id = peers[run.account_id], run.account_id
        ctx = JobContext(job=job, account_id=account_id, attempt=run.attempt,
                         provider_job_id=run.provider_job_id, pool=self.pool,
                         publisher=self.publisher, objects=self.objects, submits=self.submits)
        if run.cancel_requested:
            return await self._fail(ctx, ErrorCode.cancelled, "cancelled before it started")
        try:
            ctx.provider_token = self._own_token(job, sealed_token)
        except WowzError as exc:
            return await self._fail(ctx, exc.code, exc.message)
        started = time.monotonic()
        await ctx.emit(ctx.event(JobStarted, account_id=account_id, attempt=run.attempt))
        log.info("job started", extra=_ctx(job, account_id, attempt=run.attempt,
                                           resumed=run.provider_job_id is not None))
        task = asyncio.create_task(adapter.run(ctx))
        self.running[job.job_id] = task
        try:
            async with asyncio.timeout(job.timeout_s) as deadline:
                ctx.on_progress = _moving(deadline, job.timeout_s)
                output = await task
        except TimeoutError:
            return await self._fail(ctx, ErrorCode.timeout,
                                    f"no result and no progress for {job.timeout_s} s")
        except asyncio.CancelledError:
            if job.job_id not in self.cancelled:
                raise  # shutting down: the message goes back to the queue
            return await self._fail(ctx, ErrorCode.cancelled, "cancelled by the client")
        except AuthExpired as exc:
            if ctx.provider_token is not None:  # the client's token failed, not the account
                return await self._fail(ctx, exc.code, f"the job's own token: {exc.message}")
            await self.pause_account(account_id, f"{exc.code}: {exc.message}")
            raise Requeue() from None
        except WowzError as exc:
            if isinstance(exc, RateLimited) and run.attempt < MAX_ATTEMPTS:
                raise Retry(exc.retry_after or 5.0, exc.message) from None
            if exc.retryable and run.attempt < MAX_ATTEMPTS:
                raise Retry(5.0 * run.attempt, exc.message) from None
            await self._fail(ctx, exc.code, exc.message, retryable=exc.retryable)
            if exc.code in ACCOUNT_TROUBLE and ctx.provider_token is None:
                await self.pause_account(account_id, f"{exc.code}: {exc.message}")
            return
        finally:
            self.running.pop(job.job_id, None)
            self.cancelled.discard(job.job_id)
        duration = time.monotonic() - started
        await self._finish(ctx, ctx.event(JobCompleted, output=output, account_id=account_id,
                                          provider_job_id=ctx.provider_job_id,
                                          durations={"run_s": round(duration, 3)}))
        metrics.JOBS.labels(job.provider, job.action, "completed").inc()
        metrics.JOB_SECONDS.labels(job.provider, job.action).observe(duration)
        log.info("job completed", extra=_ctx(job, account_id, duration_s=round(duration, 3),
                                             images=len(output.images)))

    def _own_token(self, job: JobRequested, sealed: str | bytes | None) -> ProviderToken | None:
        """The client's own token for the job, or None for the account's. A job that came with
        one must not silently run on an account's token instead."""
        if sealed is None:
            if job.own_token:
                raise WowzError(
                    "the job's own provider token did not reach the provider service (the "
                    "request was republished from the outbox, which never stores tokens); "
                    "submit the job again", code=ErrorCode.auth_expired)
            return None
        try:
            if self.token_seal is None:
                raise ValueError("this service has no WOWZ_PROVIDER_TOKEN_KEY")
            return self.token_seal.open(sealed)
        except ValueError as exc:
            raise WowzError(f"the job's own provider token could not be read: {exc}; the "
                            "ingress and the provider services need the same key",
                            code=ErrorCode.auth_expired) from None

    async def _fail(self, ctx: JobContext, code: ErrorCode, message: str, *,
                    retryable: bool = False) -> None:
        await self._finish(ctx, ctx.event(JobFailed, error=JobError(
            code=code, message=message, retryable=retryable), attempts=ctx.attempt,
            account_id=ctx.account_id))
        status = code.value if code in (ErrorCode.cancelled, ErrorCode.timeout) else "failed"
        metrics.JOBS.labels(ctx.job.provider, ctx.job.action, status).inc()
        log.warning("job failed", extra=_ctx(ctx.job, ctx.account_id, code=str(code),
                                             error=message[:200]))


    async def _finish(self, ctx: JobContext, terminal: JobEvent) -> None:
        """Publish the job's terminal event and record that it finished, as one task that a
        cancelled handler does not cut short (as JobContext.submit does for the submission):
        cut between the two, the broker's redelivery would find the job unfinished and end it
        a second time, with a second terminal event and webhook."""
        async def emit_and_record() -> None:
            await ctx.emit(terminal)
            await persistently(lambda: runs.finish(self.pool, ctx.job.job_id))

        await unbroken(self.finishing, ctx.job.job_id, emit_and_record())


def _away(state: AccountState) -> str | None:
    """Why the account takes no jobs now, or None when it takes them."""
    if state.disabled:
        return "disabled by an operator"
    if not state.healthy:
        return state.reason or "unhealthy"
    return "daily cap reached" if state.capped else None


def input_problem(job: JobRequested) -> str | None:
    """What is wrong with the job's input (it may come from any system on the bus), or None."""
    model = INPUTS.get((job.provider, job.action))
    if model is None:
        return f"action: unknown provider/action '{job.provider}/{job.action}'"
    try:
        model.model_validate(job.input)
    except ValidationError as exc:
        return "; ".join(f"input.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                         for e in exc.errors())
    return None


def _moving(deadline: asyncio.Timeout, timeout_s: float) -> Callable[[], None]:
    """Progress pushes the deadline to `timeout_s` from now, up to MAX_STRETCH x `timeout_s`
    after the start: a slow relax job keeps going, one that stopped moving does not."""
    loop = asyncio.get_running_loop()
    limit = loop.time() + MAX_STRETCH * timeout_s

    def extend() -> None:
        when = min(limit, loop.time() + timeout_s)
        if deadline.when() is not None and when > deadline.when():
            deadline.reschedule(when)

    return extend


def _ctx(job: JobRequested, account_id: str, **more) -> dict:
    return {"job_id": job.job_id, "provider": job.provider, "account": account_id, **more}
