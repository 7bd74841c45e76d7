"""What every HTTP request goes through, as one plain ASGI middleware (cheaper than a stack of
BaseHTTPMiddleware): a request id, security headers, the body size limit, and the 500 answer
that never shows internals."""

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from producers.http.errors import render
from schemas.errors import ErrorCode

log = logging.getLogger("wowz.http")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SECURITY = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer")]
CSP = "default-src 'self'{images}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
# FastAPI's /docs and /redoc pages are an inline script plus assets from its CDN.
CSP_DOCS = (b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            b"img-src 'self' data: https://fastapi.tiangolo.com; worker-src 'self' blob:; "
            b"frame-ancestors 'none'")
DOCS = ("/docs", "/redoc")


class TooLarge(Exception):
    pass


@dataclass
class RequestStats:
    """What this process answered, for the seed's `/health` fields."""

    total: int = 0
    failed: int = 0
    last_request: datetime | None = None
    last_error: str | None = None

    def record(self, scope: Scope, status: int) -> None:
        self.total += 1
        self.last_request = datetime.now(UTC)
        if status >= 400:
            self.failed += 1
            self.last_error = f"{status} {scope['method']} {scope['path']}"


class Edge:
    def __init__(self, app: Callable[..., Awaitable[None]], *, max_body_bytes: int,
                 stats: RequestStats, image_origin: str | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.stats = stats
        # Thumbnails stored in Supabase Storage come from its origin: that one, and no other.
        images = f"; img-src 'self' {image_origin}" if image_origin else ""
        self.csp = CSP.format(images=images).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        csp = CSP_DOCS if scope["path"].startswith(DOCS) else self.csp
        extra = [*SECURITY, (b"content-security-policy", csp),
                 (b"x-request-id", request_id.encode())]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.stats.record(scope, message["status"])
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        try:
            replay = await self._buffer_body(scope, receive)
        except TooLarge:
            await _answer(send_with_headers, 413, ErrorCode.bad_input,
                          f"body: larger than the limit of {self.max_body_bytes} bytes",
                          request_id)
            return
        try:
            await self.app(scope, replay, send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id,
                                                    "path": scope["path"]})
            if started:
                raise  # headers are out; the server can only cut the connection
            await _answer(send_with_headers, 500, ErrorCode.internal, "internal error",
                          request_id)

    async def _buffer_body(self, scope: Scope, receive: Receive) -> Receive:
        """Read the whole body, counting (Content-Length may be absent or lie), and hand the
        app a `receive` that gives it back in one piece, then waits for the disconnect."""
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise TooLarge
        chunks, size, first = [], 0, None
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first = message  # the client left while sending
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                raise TooLarge
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        pending = [first or {"type": "http.request", "body": b"".join(chunks),
                             "more_body": False}]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        return replay


async def _answer(send: Send, status: int, code: ErrorCode, message: str,
                  request_id: str) -> None:
    body = render(status, code, message, request_id)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def origin(url: str) -> str:
    """`scheme://host[:port]` of an http(s) URL (the settings checked it is one), as a CSP
    source names it: no path, no credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _incoming_id(scope: Scope) -> str | None:
    value = _header(scope, b"x-request-id")
    return value if value and REQUEST_ID.match(value) else None
