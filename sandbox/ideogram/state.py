"""In-memory state of the Ideogram stand-in and its token service: accounts and their bearer
tokens, uploads, generation requests and their responses, quotas, forced failures, counters."""

from __future__ import annotations

import secrets
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Trigger(StrEnum):
    """Failures a test asks for: `sandbox:<value>` in a prompt, or forced on an account."""

    MODERATED = "moderated"
    RATE_LIMITED = "429"
    HANG = "hang"
    FAIL = "fail"


@dataclass
class IdeogramConfig:
    generation_s: float = 3.0
    image_size: int = 256
    token_ttl_s: float = 3600.0

    def update(self, changes: dict[str, Any]) -> None:
        for key in ("generation_s", "image_size", "token_ttl_s"):
            if key in changes:
                setattr(self, key, type(getattr(self, key))(changes[key]))

    def as_json(self) -> dict[str, Any]:
        return {"generation_s": self.generation_s, "image_size": self.image_size,
                "token_ttl_s": self.token_ttl_s}


@dataclass
class Account:
    account_id: str
    user_id: str
    quota: int | None = None  # generations left; None: unlimited
    forced: deque[Trigger] = field(default_factory=deque)


@dataclass
class Asset:
    """An uploaded image or a generated response: what the download endpoint serves."""

    asset_id: str
    account_id: str
    png: bytes | None
    width: int
    height: int
    prompt: str


@dataclass
class Generation:
    request_id: str
    account_id: str
    prompt: str
    num_images: int
    width: int
    height: int
    created_at: float
    generation_s: float
    kind: str  # "TXT2IMG", "VARIATION", "SUPER_RES"
    outcome: Trigger | None = None
    response_ids: list[str] = field(default_factory=list)

    def ready(self, now: float) -> int:
        """How many responses are done: they arrive one by one over generation_s."""
        if self.outcome is Trigger.HANG:
            return 0
        if self.generation_s <= 0:
            return self.num_images
        share = (now - self.created_at) / self.generation_s
        return max(0, min(self.num_images, int(share * self.num_images)))


@dataclass
class Stats:
    token_hits: Counter[str] = field(default_factory=Counter)
    samples: Counter[str] = field(default_factory=Counter)
    retrieves: int = 0
    downloads: int = 0
    uploads: int = 0
    unauthorized: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"token_hits": self.token_hits.total(), "token_hits_by_account": dict(
            self.token_hits), "samples": self.samples.total(), "samples_by_account": dict(
            self.samples), "retrieves": self.retrieves, "downloads": self.downloads,
            "uploads": self.uploads, "unauthorized": self.unauthorized}


class IdeogramState:
    def __init__(self, config: IdeogramConfig, clock: Callable[[], float] = time.time):
        self.config = config
        self.clock = clock
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (account id, expires at)
        self.assets: dict[str, Asset] = {}
        self.generations: dict[str, Generation] = {}
        self.stats = Stats()

    def upsert_account(self, account_id: str) -> Account:
        if account_id not in self.accounts:
            self.accounts[account_id] = Account(account_id, uuid.uuid4().hex[:22])
        return self.accounts[account_id]

    def issue_token(self, account_id: str, ttl_s: float | None = None) -> tuple[str, float]:
        """A new bearer token for the account; earlier ones stay valid until they expire."""
        ttl = self.config.token_ttl_s if ttl_s is None else ttl_s
        token = secrets.token_urlsafe(32)
        self.tokens[token] = (account_id, self.clock() + ttl)
        return token, ttl

    def account_for(self, token: str | None) -> Account | None:
        account_id, expires_at = self.tokens.get(token or "", ("", 0.0))
        if not account_id or self.clock() >= expires_at:
            return None
        return self.accounts.get(account_id)

    def revoke(self, account_id: str) -> int:
        """Every token of the account stops working (as after a password change)."""
        gone = [t for t, (a, _) in self.tokens.items() if a == account_id]
        for token in gone:
            del self.tokens[token]
        return len(gone)

    def add_asset(self, account_id: str, png: bytes | None, width: int, height: int,
                  prompt: str = "") -> Asset:
        asset = Asset(uuid.uuid4().hex[:22], account_id, png, width, height, prompt)
        self.assets[asset.asset_id] = asset
        return asset

    def add_generation(self, account: Account, *, prompt: str, num_images: int, width: int,
                       height: int, kind: str, outcome: Trigger | None) -> Generation:
        generation = Generation(uuid.uuid4().hex[:22], account.account_id, prompt, num_images,
                                width, height, self.clock(), self.config.generation_s, kind,
                                outcome)
        for _ in range(num_images):
            asset = self.add_asset(account.account_id, None, width, height, prompt)
            generation.response_ids.append(asset.asset_id)
        self.generations[generation.request_id] = generation
        return generation

    def reset(self) -> None:
        """Forget uploads, generations, forced failures, quotas and counters; accounts and
        tokens stay."""
        self.assets.clear()
        self.generations.clear()
        self.stats = Stats()
        for account in self.accounts.values():
            account.forced.clear()
            account.quota = None
