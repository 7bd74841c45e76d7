"""Jobs in flight per API key: its jobs pending or processing. Read from the jobs table (which
every ingress replica shares) at most once per `ttl_s` per key, plus what this replica admitted
since, so a busy key costs no query per submission. Another replica's jobs show at the next
read: N replicas may together pass a limit by what the others accepted within `ttl_s`. A job is
counted when admitted; one that then fails to be stored, or was stored before (a repeated
Idempotency-Key), is counted until the next read, which errs on the safe side."""

import asyncio
import math
import time
from dataclasses import dataclass, field

import asyncpg

MAX_KEYS = 100_000


class Full(Exception):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


@dataclass
class _Count:
    stored: int = 0  # pending or processing at the last read
    added: int = 0  # admitted here since that read
    read_at: float = -math.inf
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def total(self) -> int:
        return self.stored + self.added


class JobsInFlight:
    def __init__(self, pool: asyncpg.Pool, ttl_s: float = 1.0):
        self.pool = pool
        self.ttl_s = ttl_s
        self._counts: dict[str, _Count] = {}

    async def admit(self, key_id: str, limit: int) -> None:
        """Count one more job of this key; Full when it has `limit` in flight already."""
        count = await self._fresh(key_id)
        if count.total >= limit:
            raise Full(count.total)
        count.added += 1

    async def _fresh(self, key_id: str) -> _Count:
        count = self._counts.get(key_id)
        if count is None:
            if len(self._counts) >= MAX_KEYS:
                self._counts.clear()
            count = self._counts[key_id] = _Count()
        if time.monotonic() - count.read_at > self.ttl_s:
            async with count.lock:  # one read for the requests that found it stale together
                if time.monotonic() - count.read_at > self.ttl_s:
                    before = count.added  # in the rows read, once stored
                    count.stored = await self.pool.fetchval(
                        "select count(*) from jobs where api_key_id = $1 "
                        "and status in ('pending', 'processing')", key_id)
                    count.added -= before
                    count.read_at = time.monotonic()
        return count
