"""A webhook URL is checked when the job is submitted, so a bad one is a 422 now rather than a
delivery that fails later. The notifier checks again when it connects (DNS may change)."""

import asyncio
import socket
from urllib.parse import urlsplit

from producers.http.errors import field_error
from schemas.urls import blocked_reason, check_url_syntax

FIELD = "webhook.url"
RESOLVE_TIMEOUT_S = 3.0


async def check_webhook(url: str, *, allow_private: bool) -> None:
    """Raise a 422 ApiError naming `webhook.url` if we would refuse to call it."""
    try:
        check_url_syntax(url)
    except ValueError as exc:
        raise field_error(FIELD, str(exc)) from None
    if allow_private:
        return
    host = urlsplit(url).hostname
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise field_error(FIELD, f"host {host!r} does not resolve") from None
    for *_, sockaddr in infos:
        reason = blocked_reason(sockaddr[0])
        if reason:
            raise field_error(FIELD, f"host {host!r} is at {sockaddr[0]}, a {reason}: "
                                     "webhooks go to public addresses only")
