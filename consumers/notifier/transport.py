"""One POST to a webhook URL, to an address we checked. The host is resolved once and every
address it has is judged by `schemas.urls`; the request then goes to the checked address with the
original Host header and TLS server name, so a second DNS answer cannot send it elsewhere (DNS
rebinding). The URL is otherwise sent exactly as given: n8n's resume URLs carry `?signature=`."""

import asyncio
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from schemas.urls import blocked_reason, check_url_syntax

GONE = 410  # the receiver asks us to stop


class Refused(Exception):
    """The URL is not one we call; trying again will not change that."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    retry_after_s: float | None = None
    refused: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def final(self) -> bool:
        """Failed in a way another attempt cannot fix."""
        return self.refused or self.status_code == GONE


def new_client() -> httpx.AsyncClient:
    # No keep-alive: connections are pooled by IP, and two hosts behind one IP (a CDN) would
    # share a TLS connection made for the other's name. No proxies from the environment: the
    # proxy would resolve the host itself, past our check. No per-phase timeout: `post` bounds
    # the whole attempt.
    return httpx.AsyncClient(timeout=None, follow_redirects=False, trust_env=False,
                             limits=httpx.Limits(max_keepalive_connections=0))


async def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses to connect to, in the resolver's order; Refused if any is internal."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            reason = blocked_reason(address)
            if reason:
                raise Refused(f"{host} resolves to {address}: {reason}")
    return addresses


async def post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], *,
               allow_private: bool, timeout_s: float) -> Outcome:
    started = time.monotonic()

    def outcome(**kw) -> Outcome:
        return Outcome(duration_ms=round((time.monotonic() - started) * 1000), **kw)

    try:
        check_url_syntax(url)
    except ValueError as exc:
        return outcome(status_code=None, error=str(exc), refused=True)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    try:
        async with asyncio.timeout(timeout_s):
            addresses = await resolve(parts.hostname, parts.port or (443 if https else 80),
                                      allow_private=allow_private)
            response = await _send(client, parts, addresses, body, headers)
    except Refused as exc:
        return outcome(status_code=None, error=str(exc), refused=True)
    except TimeoutError:
        return outcome(status_code=None, error=f"timed out after {timeout_s:g} s")
    except (httpx.HTTPError, OSError) as exc:
        detail = f": {exc}" if str(exc) else ""
        return outcome(status_code=None, error=type(exc).__name__ + detail)
    return outcome(status_code=response.status_code, error=None,
                   retry_after_s=retry_after_s(response.headers.get("retry-after")))


async def _send(client: httpx.AsyncClient, parts: SplitResult, addresses: list[str],
                body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to the first address that takes the connection (as a browser does when `localhost`
    is ::1 and 127.0.0.1 and the server listens on one)."""
    *others, last = addresses
    for address in others:
        try:
            return await _send_to(client, parts, address, body, headers)
        except httpx.ConnectError:
            continue  # nothing was sent: the next address is safe to try
    return await _send_to(client, parts, last, body, headers)


async def _send_to(client: httpx.AsyncClient, parts: SplitResult, address: str, body: bytes,
                   headers: dict[str, str]) -> httpx.Response:
    request = client.build_request(
        "POST", _pinned(parts, address), content=body, headers={**headers, "host": parts.netloc},
        extensions={"sni_hostname": parts.hostname} if parts.scheme == "https" else {})
    # Streamed and closed unread: only the status matters, whatever size the body is.
    response = await client.send(request, stream=True)
    await response.aclose()
    return response


def _pinned(parts: SplitResult, address: str) -> str:
    """The URL with its host replaced by `address`; path and query untouched."""
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def retry_after_s(value: str | None) -> float | None:
    """Retry-After in seconds, from its seconds or HTTP-date form; None when absent or garbled."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
