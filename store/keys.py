"""API keys: only their sha256 is stored; the key and its webhook secret are shown once.
Rotating either keeps the one it replaces valid for a grace period, so clients can switch
without a gap."""

import base64
import hashlib
import secrets
from dataclasses import dataclass

import asyncpg

PREFIX = "wowz_"
LIVE = "revoked_at is null"
KEY_COLUMNS = "id, name, scopes, webhook_secret, rate_limit_per_s, rate_limit_burst, " \
              "max_jobs_in_flight"


@dataclass
class ApiKey:
    id: str
    name: str
    scopes: list[str]
    webhook_secret: str
    # None: the ingress's defaults
    rate_limit_per_s: float | None = None
    rate_limit_burst: int | None = None
    max_jobs_in_flight: int | None = None


@dataclass
class NewKey:
    key: ApiKey
    api_key: str


class KeyNotFound(LookupError):
    """No live key by that name or id, or several by that name."""


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    """Standard Webhooks' format: whsec_ + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def create_key(pool: asyncpg.Pool, *, name: str,
                     scopes: tuple[str, ...] = ("submit", "read"),
                     rate_limit_per_s: float | None = None, rate_limit_burst: int | None = None,
                     max_jobs_in_flight: int | None = None) -> NewKey:
    key_id = "key_" + secrets.token_hex(6)
    api_key = new_api_key()
    secret = new_webhook_secret()
    await pool.execute(
        "insert into api_keys (id, name, key_hash, webhook_secret, scopes, rate_limit_per_s, "
        "rate_limit_burst, max_jobs_in_flight) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        key_id, name, hash_key(api_key), secret, list(scopes), rate_limit_per_s,
        rate_limit_burst, max_jobs_in_flight)
    return NewKey(ApiKey(key_id, name, list(scopes), secret, rate_limit_per_s,
                         rate_limit_burst, max_jobs_in_flight), api_key)


async def find_key(pool: asyncpg.Pool, api_key: str) -> ApiKey | None:
    """The live (not revoked) key, or None. A key replaced by a rotation is still found
    until its grace period ends."""
    row = await pool.fetchrow(
        f"select {KEY_COLUMNS} from api_keys where (key_hash = $1 or (previous_key_hash = $1 "
        f"and previous_key_expires_at > now())) and {LIVE}", hash_key(api_key))
    return ApiKey(**dict(row)) if row else None


async def live_key(pool: asyncpg.Pool, name_or_id: str) -> ApiKey:
    """The live key with this id, or else the one live key with this name."""
    rows = await pool.fetch(
        f"select {KEY_COLUMNS} from api_keys where (id = $1 or name = $1) and {LIVE} "
        "order by id = $1 desc", name_or_id)
    if not rows:
        raise KeyNotFound(f"no live API key with the id or name {name_or_id!r}")
    if rows[0]["id"] != name_or_id and len(rows) > 1:
        raise KeyNotFound(f"{len(rows)} live API keys are named {name_or_id!r}: "
                          f"give the id ({', '.join(r['id'] for r in rows)})")
    return ApiKey(**dict(rows[0]))


async def rotate_key(pool: asyncpg.Pool, key_id: str, *, grace_s: float) -> str:
    """A new key for `key_id` (same id, scopes, limits, jobs and webhook secret); the current
    one keeps working for `grace_s`. A key replaced before and still in its grace stops now."""
    api_key = new_api_key()
    await pool.execute(
        "update api_keys set previous_key_hash = key_hash, key_hash = $2, "
        "previous_key_expires_at = now() + make_interval(secs => $3) where id = $1",
        key_id, hash_key(api_key), grace_s)
    return api_key


async def rotate_webhook_secret(pool: asyncpg.Pool, key_id: str, *, grace_s: float) -> str:
    """A new webhook secret; webhooks are signed with both until `grace_s` has passed."""
    secret = new_webhook_secret()
    await pool.execute(
        "update api_keys set previous_webhook_secret = webhook_secret, webhook_secret = $2, "
        "previous_webhook_secret_expires_at = now() + make_interval(secs => $3) where id = $1",
        key_id, secret, grace_s)
    return secret


LIMIT_COLUMNS = ("rate_limit_per_s", "rate_limit_burst", "max_jobs_in_flight")


async def set_limits(pool: asyncpg.Pool, key_id: str,
                     **limits: float | None) -> dict[str, float | None]:
    """Change the key's own limits named in `limits` (None: back to the ingress's default);
    returns all three as they are now."""
    unknown = set(limits) - set(LIMIT_COLUMNS)
    if unknown:
        raise ValueError(f"not limits: {sorted(unknown)}")
    names = list(limits)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
    row = await pool.fetchrow(
        f"update api_keys set {assignments or 'id = id'} where id = $1 "
        f"returning {', '.join(LIMIT_COLUMNS)}", key_id, *limits.values())
    return dict(row)


async def webhook_secrets(pool: asyncpg.Pool, key_id: str) -> list[str]:
    """The secrets that sign this key's webhooks: the current one, then the one it replaced
    while that is in its grace period. Empty for no such key."""
    row = await pool.fetchrow(
        "select webhook_secret, case when previous_webhook_secret_expires_at > now() "
        "then previous_webhook_secret end as previous from api_keys where id = $1", key_id)
    if row is None:
        return []
    return [s for s in (row["webhook_secret"], row["previous"]) if s]


async def revoke_key(pool: asyncpg.Pool, key_id: str) -> bool:
    done = await pool.execute(
        f"update api_keys set revoked_at = now() where id = $1 and {LIVE}", key_id)
    return done.endswith(" 1")
