"""Job rows written in groups: requests that arrive while an INSERT is running share the next
one, so under load one round trip and one commit serve many jobs, and a lone request is
written at once (no timer, no added latency)."""

import asyncio

import asyncpg

from schemas.jobs import Job
from store.jobs import NewJob, create_jobs


class JobInserts:
    def __init__(self, pool: asyncpg.Pool, *, max_batch: int = 100, max_in_flight: int = 4):
        self.pool = pool
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        self._pending: list[tuple[NewJob, asyncio.Future]] = []
        self._writers: set[asyncio.Task] = set()

    async def create(self, new: NewJob) -> tuple[Job, bool]:
        """As store.jobs.create_job: (the job, whether it was created now)."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((new, future))
        if len(self._writers) < self.max_in_flight:
            task = asyncio.create_task(self._write())
            self._writers.add(task)
            task.add_done_callback(self._writers.discard)
        return await future

    async def _write(self) -> None:
        while self._pending:
            batch = self._pending[:self.max_batch]
            del self._pending[:self.max_batch]
            try:
                results = await create_jobs(self.pool, [new for new, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to the waiting requests
                if len(batch) == 1:
                    _settle(batch[0][1], exc)
                    continue
                # One bad row must not fail the others: each again on its own.
                for new, future in batch:
                    try:
                        [result] = await create_jobs(self.pool, [new])
                    except Exception as single:  # noqa: BLE001 - handed to its request
                        _settle(future, single)
                    else:
                        _settle(future, result)
                continue
            for (_, future), result in zip(batch, results):
                _settle(future, result)


def _settle(future: asyncio.Future, outcome: object) -> None:
    if future.done():
        return  # its request was cancelled: the client left
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
