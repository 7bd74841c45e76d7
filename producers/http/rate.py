"""Token buckets of requests per second, one per API key: in this process, or in Redis so that
every ingress replica draws from the same bucket."""

import logging
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("wowz.http")

MAX_KEYS = 100_000  # buckets kept in memory; past it they start full again
REDIS_TIMEOUT_S = 0.5  # a Redis that hangs costs a request this much, then the local bucket

# Atomic in Redis: refill by the time passed (Redis's own clock, the same for every replica),
# take one token or say how long until there is one. Returned as a string: Redis would
# truncate a Lua number to an integer.
TOKEN_BUCKET = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = math.min(burst, (tonumber(state[1]) or burst)
                               + math.max(0, now - (tonumber(state[2]) or now)) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class LocalBuckets:
    def __init__(self) -> None:
        self._buckets: dict[str, list[float]] = {}  # key id -> [tokens, monotonic time]

    async def take(self, key_id: str, rate: float, burst: int) -> float:
        """0 when the request may go now, else the seconds until it may."""
        now = time.monotonic()
        bucket = self._buckets.get(key_id)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._buckets.clear()
            bucket = self._buckets[key_id] = [float(burst), now]
        tokens = min(burst, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if tokens >= 1:
            bucket[0] = tokens - 1
            return 0.0
        bucket[0] = tokens
        return (1 - tokens) / rate

    async def close(self) -> None:
        pass


class RedisBuckets:
    """One round trip per request. While Redis does not answer, each replica limits on its own
    (the local buckets) rather than refusing everything or letting everything through."""

    def __init__(self, url: str):
        self.client = aioredis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                                        socket_connect_timeout=REDIS_TIMEOUT_S)
        self.script = self.client.register_script(TOKEN_BUCKET)
        self.fallback = LocalBuckets()
        self.down = False

    async def take(self, key_id: str, rate: float, burst: int) -> float:
        try:
            wait = float(await self.script(keys=[f"wowz:rate:{key_id}"], args=[rate, burst]))
        except (RedisError, OSError) as exc:
            if not self.down:
                log.warning("Redis unreachable: rate limits are per replica until it answers",
                            extra={"error": type(exc).__name__})
                self.down = True
            return await self.fallback.take(key_id, rate, burst)
        if self.down:
            log.info("Redis answers again: rate limits are shared")
            self.down = False
        return wait

    async def close(self) -> None:
        await self.client.aclose()
