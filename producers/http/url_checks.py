"""The URLs a job makes the platform call (its webhook) or fetch (its image URLs) are checked
when it is submitted, so a bad one is a 422 naming the field now rather than a failure later.
The notifier and the fetcher check again when they connect (DNS may change)."""

import asyncio
import socket
from urllib.parse import urlsplit

from producers.http.errors import field_error
from schemas.urls import blocked_reason, check_url_syntax, fetched_urls

WEBHOOK = "webhook.url"
RESOLVE_TIMEOUT_S = 3.0


async def check_job_urls(job_input: dict, webhook_url: str | None, *,
                         allow_private: bool) -> None:
    """Raise a 422 ApiError naming the first URL field we would refuse to call or fetch."""
    if webhook_url is not None:
        try:
            check_url_syntax(webhook_url)
        except ValueError as exc:
            raise field_error(WEBHOOK, str(exc)) from None
        await check_public(webhook_url, field=WEBHOOK, allow_private=allow_private)
    for field, url in fetched_urls(job_input):  # their syntax is the input model's to check
        await check_public(url, field=f"input.{field}", allow_private=allow_private)


async def check_public(url: str, *, field: str, allow_private: bool) -> None:
    """Every address the URL's host resolves to must be public (unless private ones are
    allowed)."""
    if allow_private:
        return
    host = urlsplit(url).hostname
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise field_error(field, f"host {host!r} does not resolve") from None
    for *_, sockaddr in infos:
        reason = blocked_reason(sockaddr[0])
        if reason:
            raise field_error(field, f"host {host!r} is at {sockaddr[0]}, a {reason}: "
                                     "the platform calls and fetches public addresses only")
