"""Per-API-key limits at the ingress: requests per second and jobs in flight, each the key's
own (columns of api_keys) or the ingress's default; refused with 429, the error envelope and
Retry-After. The request rate is shared by the replicas through Redis when a URL is given,
kept in each process otherwise (producers.http.rate); jobs in flight come from the jobs table
(producers.http.inflight)."""

import math
from dataclasses import dataclass

import asyncpg

from producers.http.errors import ApiError
from producers.http.inflight import Full, JobsInFlight
from producers.http.rate import LocalBuckets, RedisBuckets
from schemas.errors import ErrorCode
from store.keys import ApiKey

# Jobs run for tens of seconds: asking again sooner than this is refused again.
IN_FLIGHT_RETRY_S = 5


@dataclass(frozen=True)
class LimitDefaults:
    """For keys without their own; None is no limit."""

    requests_per_s: float | None = None
    burst: int | None = None  # None: one second's worth of requests_per_s
    jobs_in_flight: int | None = None


class KeyLimits:
    def __init__(self, pool: asyncpg.Pool, defaults: LimitDefaults | None = None, *,
                 redis_url: str | None = None, in_flight_ttl_s: float = 1.0):
        self.defaults = defaults or LimitDefaults()
        self.buckets = RedisBuckets(redis_url) if redis_url else LocalBuckets()
        self.in_flight = JobsInFlight(pool, in_flight_ttl_s)

    @property
    def shared(self) -> bool:
        return isinstance(self.buckets, RedisBuckets)

    async def check_rate(self, key: ApiKey) -> None:
        """Count one request of `key`; ApiError 429 past its rate."""
        rate = key.rate_limit_per_s or self.defaults.requests_per_s
        if rate is None:
            return
        burst = key.rate_limit_burst or (
            self.defaults.burst if key.rate_limit_per_s is None and self.defaults.burst
            else max(1, math.ceil(rate)))
        wait = await self.buckets.take(key.id, rate, burst)
        if wait > 0:
            raise ApiError(429, ErrorCode.rate_limited,
                           f"rate limit: this API key may send {rate:g} requests/s (bursts of "
                           f"{burst}); retry in {wait:.1f} s",
                           headers={"Retry-After": str(max(1, math.ceil(wait)))})

    async def admit_job(self, key: ApiKey) -> None:
        """Count one more job of `key`; ApiError 429 when it has its limit of jobs pending or
        processing."""
        limit = key.max_jobs_in_flight or self.defaults.jobs_in_flight
        if limit is None:
            return
        try:
            await self.in_flight.admit(key.id, limit)
        except Full as full:
            raise ApiError(429, ErrorCode.rate_limited,
                           f"jobs in flight: this API key has {full.count} jobs pending or "
                           f"processing, its limit is {limit}; retry when one has finished",
                           headers={"Retry-After": str(IN_FLIGHT_RETRY_S)}) from None

    async def close(self) -> None:
        await self.buckets.close()
