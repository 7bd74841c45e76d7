"""API keys: `Authorization: Bearer <key>` or `X-API-Key`, checked against `api_keys` (by
sha256) and trusted for a short while so that a busy client costs no query per request."""

import time
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import Request

from producers.http.errors import ApiError
from schemas.errors import ErrorCode
from store.keys import ApiKey, find_key, hash_key

MAX_CACHED = 10_000
CHALLENGE = {"WWW-Authenticate": "Bearer"}


class KeyCache:
    """Live keys only: a key created a moment ago works at once; a revoked one stops working
    within `ttl_s`."""

    def __init__(self, pool: asyncpg.Pool, ttl_s: float):
        self.pool = pool
        self.ttl_s = ttl_s
        self._keys: dict[str, tuple[float, ApiKey]] = {}

    async def find(self, api_key: str) -> ApiKey | None:
        if self.ttl_s <= 0:
            return await find_key(self.pool, api_key)
        digest = hash_key(api_key)  # the raw key is not kept in memory
        now = time.monotonic()
        cached = self._keys.get(digest)
        if cached and cached[0] > now:
            return cached[1]
        key = await find_key(self.pool, api_key)
        if key is None:
            self._keys.pop(digest, None)
            return None
        if len(self._keys) >= MAX_CACHED:
            self._keys.clear()
        self._keys[digest] = (now + self.ttl_s, key)
        return key


def presented_key(request: Request) -> str | None:
    # X-API-Key first: beside it, Authorization may carry a provider's token (the seed's
    # clients sent their Ideogram bearer there).
    if api_key := request.headers.get("x-api-key"):
        return api_key
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def authorize(request: Request, scope: str) -> ApiKey:
    """The caller's key, which must carry `scope`; the request counts toward its rate limit."""
    presented = presented_key(request)
    if presented is None:
        raise ApiError(401, ErrorCode.unauthorized,
                       "missing API key: send Authorization: Bearer <key> or X-API-Key",
                       headers=CHALLENGE)
    ingress = request.app.state.ingress
    key = await ingress.keys.find(presented)
    if key is None:
        raise ApiError(401, ErrorCode.unauthorized, "API key is not valid or was revoked",
                       headers=CHALLENGE)
    await ingress.limits.check_rate(key)
    if scope not in key.scopes:
        raise ApiError(403, ErrorCode.forbidden, f"this API key lacks the '{scope}' scope")
    return key


def requires(scope: str) -> Callable[[Request], Awaitable[ApiKey]]:
    """A dependency giving the caller's key, which must carry `scope`."""

    async def caller(request: Request) -> ApiKey:
        return await authorize(request, scope)

    return caller
