"""One `/api/job-status` request per account per tick for all of its jobs. The tick adapts:
from the progress rate each job shows, the next request goes out about when the nearest job
should be done (never sooner than `fast_s`, never later than `interval_s`), so completion is
seen within about `fast_s` without asking every 100 ms all the time."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from consumers.midjourney import wire

log = logging.getLogger("wowz.midjourney")

OnProgress = Callable[[int], Awaitable[None]]
FetchStatus = Callable[[list[str]], Awaitable[dict[str, wire.Status]]]


@dataclass
class _Waiting:
    future: asyncio.Future
    on_progress: OnProgress
    first: tuple[float, int] | None = None  # (time, percent) when it first showed progress
    eta: float | None = None  # when it should be done, from its progress rate

    def observe(self, now: float, percent: int) -> None:
        if percent <= 0:
            return  # still queued: no rate to learn yet
        if self.first is None:
            self.first = (now, percent)
            return
        t0, p0 = self.first
        if percent > p0:
            self.eta = now + (100 - percent) * (now - t0) / (percent - p0)


class StatusPoller:
    def __init__(self, fetch: FetchStatus, *, interval_s: float = 1.0, fast_s: float = 0.1):
        self.fetch = fetch
        self.interval_s = interval_s
        self.fast_s = fast_s
        self._waiting: dict[str, _Waiting] = {}
        self._task: asyncio.Task | None = None
        self.requests = 0

    async def wait(self, job_id: str, on_progress: OnProgress) -> wire.Status:
        """Until the provider says the job is completed or failed."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[job_id] = _Waiting(future, on_progress)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())
        try:
            return await future
        finally:
            self._waiting.pop(job_id, None)

    def _next_tick(self, now: float) -> float:
        etas = [w.eta for w in self._waiting.values() if w.eta is not None]
        if not etas:
            return self.interval_s
        return min(self.interval_s, max(self.fast_s, min(etas) - now))

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            await asyncio.sleep(self._next_tick(loop.time()))
            ids = list(self._waiting)
            if not ids:
                break
            try:
                self.requests += 1
                statuses = await self.fetch(ids)
            except Exception as exc:  # noqa: BLE001 - this tick failed: every waiting job hears why
                for waiting in list(self._waiting.values()):
                    if not waiting.future.done():
                        waiting.future.set_exception(exc)
                continue
            now = loop.time()
            reports = []
            for job_id, status in statuses.items():
                waiting = self._waiting.get(job_id)
                if waiting is None or waiting.future.done():
                    continue
                if status.state == wire.DONE or status.state in wire.FAILED:
                    waiting.future.set_result(status)
                    continue
                waiting.observe(now, status.percent)
                reports.append(waiting.on_progress(status.percent))
            await asyncio.gather(*reports)
