"""Bearer tokens of one Ideogram account, fetched from where the account says (a static value,
a file, or a token service as the seed used), cached until `expires_in` minus a margin, and
renewed ahead of expiry in the background. However many jobs ask at once, one fetch runs: they
all wait for that one (no stampede at expiry, nor after a 401)."""

import asyncio
import html
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from schemas.errors import AuthExpired

log = logging.getLogger("wowz.ideogram")

_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    value: str = field(repr=False)
    expires_in: float | None  # seconds from when it was fetched; None: does not expire


Fetch = Callable[[], Awaitable[Token]]


def parse_answer(text: str) -> Token:
    """`{"access_token","expires_in","token_type"}`, bare or inside an HTML page's `<pre>`."""
    match = _PRE.search(text)
    try:
        data = json.loads(html.unescape(match.group(1)) if match else text)
        value = data["access_token"]
    except (ValueError, KeyError, TypeError):
        raise AuthExpired("token service: the answer holds no access_token") from None
    if not isinstance(value, str) or not value:
        raise AuthExpired("token service: empty access_token")
    expires_in = data.get("expires_in")
    return Token(value, float(expires_in) if expires_in is not None else None)


def static_token(value: str) -> Fetch:
    async def fetch() -> Token:
        return Token(value, None)
    return fetch


def file_token(path: Path) -> Fetch:
    """A file holding the token, or the token service's JSON; read again at every refresh (a
    user who replaces it is heard without a restart)."""
    async def fetch() -> Token:
        try:
            text = (await asyncio.to_thread(path.read_text)).strip()
        except OSError as exc:
            raise AuthExpired(f"token file: {exc.strerror}") from None
        return parse_answer(text) if text.startswith(("{", "<")) else Token(text, None)
    return fetch


def service_token(url: str, *, timeout_s: float = 15.0) -> Fetch:
    async def fetch() -> Token:
        try:
            async with httpx.AsyncClient(timeout=timeout_s, trust_env=False) as client:
                response = await client.get(url)
        except httpx.HTTPError as exc:
            raise AuthExpired(f"token service unreachable: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise AuthExpired(f"token service: HTTP {response.status_code}")
        return parse_answer(response.text)
    return fetch


class TokenProvider:
    def __init__(self, fetch: Fetch, *, margin_s: float = 5.0, ahead_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self._fetch = fetch
        self.margin_s = margin_s
        self.ahead_s = ahead_s
        self.clock = clock
        self._value: str | None = None
        self._valid_until = 0.0
        self._renew_after = 0.0
        self._task: asyncio.Task | None = None
        self.fetches = 0

    async def get(self) -> str:
        """A token good for at least `margin_s` more; waits only when there is none."""
        now = self.clock()
        if self._value is not None and now < self._valid_until:
            if now >= self._renew_after:
                self._renewal()  # in the background: this caller goes on with the current one
            return self._value
        return await asyncio.shield(self._renewal())

    async def refresh(self, rejected: str) -> str:
        """After the provider refused `rejected`: a new token, fetched once however many jobs
        saw the refusal (a token already newer than `rejected` is returned as is)."""
        if self._value is not None and self._value != rejected:
            return self._value
        self._valid_until = 0.0
        return await asyncio.shield(self._renewal())

    def _renewal(self) -> asyncio.Task:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._renew())
            self._task.add_done_callback(_quiet)
        return self._task

    async def _renew(self) -> str:
        self.fetches += 1
        started = self.clock()
        token = await self._fetch()
        self._value = token.value
        if token.expires_in is None:
            self._valid_until = self._renew_after = float("inf")
        else:
            # short-lived tokens (tests) keep most of their life: the margins shrink with them
            self._valid_until = started + token.expires_in - min(self.margin_s,
                                                                  token.expires_in / 4)
            self._renew_after = started + token.expires_in - min(self.ahead_s,
                                                                 token.expires_in / 2)
        log.info("ideogram token fetched", extra={"expires_in": token.expires_in})
        return token.value


class JobToken:
    """A client's own token for one job, used as given. There is nothing to renew it from: a
    401 fails that job (the runner does not pause the account for a client's token)."""

    def __init__(self, value: str):
        self._value = value

    async def get(self) -> str:
        return self._value

    async def refresh(self, rejected: str) -> str:
        raise AuthExpired("Ideogram refused it (HTTP 401); a client's token is not renewed")


def _quiet(task: asyncio.Task) -> None:
    """A background renewal that failed is retried by the next caller; it is only logged."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("ideogram token renewal failed: %s", task.exception())
