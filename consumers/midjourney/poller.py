"""One `/api/job-status` request per account per tick for all of its jobs, the tick shortening
while a job is near done, so completion is seen within about a second."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from consumers.midjourney import wire

log = logging.getLogger("wowz.midjourney")

OnProgress = Callable[[int], Awaitable[None]]
FetchStatus = Callable[[list[str]], Awaitable[dict[str, wire.Status]]]


class StatusPoller:
    def __init__(self, fetch: FetchStatus, *, interval_s: float = 1.0, fast_s: float = 0.3):
        self.fetch = fetch
        self.interval_s = interval_s
        self.fast_s = fast_s
        self._waiting: dict[str, tuple[asyncio.Future, OnProgress]] = {}
        self._task: asyncio.Task | None = None
        self._near_done = False
        self.requests = 0

    async def wait(self, job_id: str, on_progress: OnProgress) -> wire.Status:
        """Until the provider says the job is completed or failed."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[job_id] = (future, on_progress)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())
        try:
            return await future
        finally:
            self._waiting.pop(job_id, None)

    async def _loop(self) -> None:
        while self._waiting:
            await asyncio.sleep(self.fast_s if self._near_done else self.interval_s)
            ids = list(self._waiting)
            if not ids:
                break
            try:
                self.requests += 1
                statuses = await self.fetch(ids)
            except Exception as exc:  # one tick's failure: hand it to every waiting job
                for future, _ in list(self._waiting.values()):
                    if not future.done():
                        future.set_exception(exc)
                continue
            self._near_done = any(s.percent >= 80 for s in statuses.values())
            for job_id, status in statuses.items():
                entry = self._waiting.get(job_id)
                if entry is None or entry[0].done():
                    continue
                future, on_progress = entry
                if status.state == wire.DONE or status.state in wire.FAILED:
                    future.set_result(status)
                else:
                    await on_progress(status.percent)
