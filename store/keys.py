"""API keys: only their sha256 is stored; the key and its webhook secret are shown once."""

import base64
import hashlib
import secrets
from dataclasses import dataclass

import asyncpg

PREFIX = "wowz_"


@dataclass
class ApiKey:
    id: str
    name: str
    scopes: list[str]
    webhook_secret: str


@dataclass
class NewKey:
    key: ApiKey
    api_key: str


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_webhook_secret() -> str:
    """Standard Webhooks' format: whsec_ + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def create_key(pool: asyncpg.Pool, *, name: str,
                     scopes: tuple[str, ...] = ("submit", "read")) -> NewKey:
    key_id = "key_" + secrets.token_hex(6)
    api_key = PREFIX + secrets.token_urlsafe(32)
    secret = new_webhook_secret()
    await pool.execute(
        "insert into api_keys (id, name, key_hash, webhook_secret, scopes) "
        "values ($1, $2, $3, $4, $5)", key_id, name, hash_key(api_key), secret, list(scopes))
    return NewKey(ApiKey(key_id, name, list(scopes), secret), api_key)


async def find_key(pool: asyncpg.Pool, api_key: str) -> ApiKey | None:
    """The live (not revoked) key, or None."""
    row = await pool.fetchrow(
        "select id, name, scopes, webhook_secret from api_keys "
        "where key_hash = $1 and revoked_at is null", hash_key(api_key))
    return ApiKey(**dict(row)) if row else None


async def webhook_secret(pool: asyncpg.Pool, key_id: str) -> str | None:
    return await pool.fetchval("select webhook_secret from api_keys where id = $1", key_id)


async def revoke_key(pool: asyncpg.Pool, key_id: str) -> bool:
    done = await pool.execute(
        "update api_keys set revoked_at = now() where id = $1 and revoked_at is null", key_id)
    return done.endswith(" 1")
