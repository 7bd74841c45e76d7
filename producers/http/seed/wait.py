"""Waiting for a job to end, for the seed's synchronous routes: on the ingress's live events
(the queue SSE uses), not by polling Postgres; the row is read only when listening starts and
every RECHECK_S after (a job that ended just before we listened, logged after we read)."""

import asyncio

from producers.http.ingress import Ingress
from schemas.events import TERMINAL_EVENTS, Event, JobCompleted, JobFailed
from schemas.jobs import TERMINAL, Job, JobStatus
from store import jobs as store

RECHECK_S = 15.0


async def wait_for(ingress: Ingress, job: Job, limit_s: float) -> Job | None:
    """The job as it ended, or None if it is still running after `limit_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    async with ingress.live.listen(job.id) as inbox:
        while True:
            current = await store.get_job(ingress.pool, job.id) or job
            if current.status in TERMINAL:
                return current
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                event = await asyncio.wait_for(_terminal(inbox), min(remaining, RECHECK_S))
            except TimeoutError:
                continue
            return _ended(current, event)


async def _terminal(inbox: asyncio.Queue[Event]) -> Event:
    while (event := await inbox.get()).type not in TERMINAL_EVENTS:
        pass
    return event


def _ended(job: Job, event: Event) -> Job:
    """The job as its terminal event says (the persister may not have written it yet)."""
    data: JobCompleted | JobFailed = event.data  # TERMINAL_EVENTS are these two
    if isinstance(data, JobCompleted):
        return job.model_copy(update={"status": JobStatus.completed, "output": data.output,
                                      "provider_job_id": data.provider_job_id,
                                      "account_id": data.account_id})
    return job.model_copy(update={"status": JobStatus.failed, "error": data.error})
