"""In-memory state of the Midjourney stand-in: config, accounts and tokens, jobs, counters."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# The real site shows a job as pending for a moment before it starts diffusing.
PENDING_SHARE = 0.1
# Where a `sandbox:hang` job stops making progress.
HANG_AT = 0.5


class Trigger(StrEnum):
    """Failures a test can ask for, by writing `sandbox:<value>` in a prompt."""

    MODERATED = "moderated"
    RATE_LIMITED = "429"
    HANG = "hang"
    FAIL = "fail"
    CAPTCHA = "captcha"
    INVALID = "invalid"


def _id_token(user_id: str, expires_at: float) -> str:
    """A JWT-shaped id token, as the site's: the payload carries the user id and the expiry
    (the signature is random: nothing here verifies it, the token is looked up)."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    payload = {"midjourney_id": user_id, "exp": int(expires_at), "jti": secrets.token_hex(8)}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(payload)}.{secrets.token_urlsafe(32)}"


@dataclass
class MidjourneyConfig:
    generation_s: float = 3.0
    image_size: int = 512

    def update(self, changes: dict[str, Any]) -> None:
        if "generation_s" in changes:
            self.generation_s = max(0.0, float(changes["generation_s"]))
        if "image_size" in changes:
            self.image_size = max(16, int(changes["image_size"]))

    def as_json(self) -> dict[str, Any]:
        return {"generation_s": self.generation_s, "image_size": self.image_size}


@dataclass
class Account:
    account_id: str
    user_id: str
    id_token: str
    refresh_token: str
    token_ttl_s: float
    token_expires_at: float
    revoked: bool = False
    # The site put up an "action needed" / captcha page: the API answers it until a human solves it.
    action_needed: bool = False
    forced_triggers: deque[Trigger] = field(default_factory=deque)

    def token_valid(self, now: float) -> bool:
        return not self.revoked and now < self.token_expires_at


@dataclass
class Job:
    job_id: str
    account_id: str
    prompt: str
    mode: str
    width: int
    height: int
    created_at: float
    generation_s: float
    outcome: Trigger | None = None
    batch_size: int = 4
    event_type: str = "diffusion"
    parent_id: str | None = None
    parent_index: int | None = None
    video: bool = False

    def _fraction(self, now: float) -> float:
        if self.generation_s <= 0:
            return 1.0
        fraction = (now - self.created_at) / self.generation_s
        return min(fraction, HANG_AT) if self.outcome is Trigger.HANG else fraction

    def progress(self, now: float) -> tuple[str, int]:
        """(current_status, percentage_complete) at `now`: linear over generation_s."""
        fraction = self._fraction(now)
        if fraction >= 1:
            return ("failed", 0) if self.outcome is Trigger.FAIL else ("completed", 100)
        if fraction < PENDING_SHARE:
            return "pending", 0
        return "running", int(fraction * 100)

    def done_at(self, now: float) -> float | None:
        """When the job finished (completed or failed), None while it still runs."""
        if self._fraction(now) < 1:
            return None
        return self.created_at + max(self.generation_s, 0.0)


@dataclass
class Upload:
    data: bytes
    content_type: str


@dataclass
class Stats:
    submissions: Counter[str] = field(default_factory=Counter)
    status_requests: Counter[str] = field(default_factory=Counter)
    refreshes: Counter[str] = field(default_factory=Counter)
    cdn_downloads: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "submissions": self.submissions.total(),
            "submissions_by_account": dict(self.submissions),
            "status_requests": self.status_requests.total(),
            "status_requests_by_account": dict(self.status_requests),
            "refreshes": self.refreshes.total(),
            "cdn_downloads": self.cdn_downloads,
        }


class MidjourneyState:
    """Everything the web and CDN origins share; one instance per running sandbox."""

    def __init__(self, config: MidjourneyConfig, clock: Callable[[], float] = time.time):
        self.config = config
        self.clock = clock
        self.cookie_domain = "127.0.0.1"
        self.cdn_url = ""
        self.accounts: dict[str, Account] = {}
        self._account_by_token: dict[str, str] = {}
        self.jobs: dict[str, Job] = {}
        self.uploads: dict[str, Upload] = {}
        self.renders: dict[tuple[str, int], bytes] = {}
        self.stats = Stats()
        self._tasks: set[asyncio.Task] = set()

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` without waiting for it, keeping a reference until it is done."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def upsert_account(self, account_id: str, token_ttl_s: float) -> Account:
        """A new account, or fresh tokens for an existing one (its old id token stops working)."""
        now = self.clock()
        previous = self.accounts.get(account_id)
        if previous is not None:
            self._account_by_token.pop(previous.id_token, None)
        user_id = previous.user_id if previous else str(uuid.uuid4())
        account = Account(
            account_id=account_id,
            user_id=user_id,
            id_token=_id_token(user_id, now + token_ttl_s),
            refresh_token=secrets.token_urlsafe(32),
            token_ttl_s=token_ttl_s,
            token_expires_at=now + token_ttl_s,
        )
        if previous is not None:
            account.action_needed, account.forced_triggers = (previous.action_needed,
                                                              previous.forced_triggers)
        self.accounts[account_id] = account
        self._account_by_token[account.id_token] = account_id
        return account

    def account_for_token(self, id_token: str | None) -> Account | None:
        """The account whose current, valid id token this is."""
        account = self.accounts.get(self._account_by_token.get(id_token or "", ""))
        if account is None or not account.token_valid(self.clock()):
            return None
        return account

    def refresh(self, refresh_token: str | None) -> Account | None:
        """New tokens for the account holding this refresh token (None if it holds none)."""
        account = next((a for a in self.accounts.values()
                        if refresh_token and a.refresh_token == refresh_token and not a.revoked),
                       None)
        return None if account is None else self.upsert_account(account.account_id,
                                                                 account.token_ttl_s)

    def set_revoked(self, account_id: str, revoked: bool) -> Account:
        account = self.accounts[account_id]
        account.revoked = revoked
        if not revoked:
            account.action_needed = False
            account.token_expires_at = max(
                account.token_expires_at, self.clock() + account.token_ttl_s
            )
        return account

    def add_job(
        self,
        *,
        account: Account,
        prompt: str,
        mode: str,
        width: int,
        height: int,
        outcome: Trigger | None,
        **kind: Any,
    ) -> Job:
        job = Job(
            job_id=str(uuid.uuid4()),
            account_id=account.account_id,
            prompt=prompt,
            mode=mode,
            width=width,
            height=height,
            created_at=self.clock(),
            generation_s=self.config.generation_s,
            outcome=outcome,
            **kind,
        )
        self.jobs[job.job_id] = job
        return job

    def add_upload(self, data: bytes, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = Upload(data=data, content_type=content_type)
        return upload_id

    def cdn_source(self, url: str) -> str | None:
        """The upload id or job id behind one of this CDN's image URLs, None if it is not one."""
        if not self.cdn_url or not url.startswith(self.cdn_url + "/"):
            return None
        path = url[len(self.cdn_url) + 1:]
        if path.startswith("u/") and path.removeprefix("u/").removesuffix(".png") in self.uploads:
            return path.removeprefix("u/").removesuffix(".png")
        job_id = path.split("/")[0]
        return job_id if job_id in self.jobs else None

    def reset(self) -> None:
        """Forget jobs, uploads, renders and counters; accounts and config stay."""
        self.jobs.clear()
        self.uploads.clear()
        self.renders.clear()
        self.stats = Stats()
        for account in self.accounts.values():
            account.forced_triggers.clear()
            account.action_needed = False
