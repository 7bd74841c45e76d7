"""What every HTTP request goes through, as one plain ASGI middleware (cheaper than a stack of
BaseHTTPMiddleware): a request id (echoed, and on every log line written while serving the
request), security headers, the body size limit, the request timeout, and the 500 answer that
never shows internals."""

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from producers.http.errors import render
from schemas.errors import ErrorCode

log = logging.getLogger("wowz.http")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SERVING: ContextVar[str | None] = ContextVar("request_id", default=None)
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
                 stats: RequestStats, image_origin: str | None = None,
                 timeout_s: float | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.stats = stats
        self.timeout_s = timeout_s
        _log_request_ids()
        # Thumbnails stored in Supabase Storage come from its origin: that one, and no other.
        images = f"; img-src 'self' {image_origin}" if image_origin else ""
        self.csp = CSP.format(images=images).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or secrets.token_hex(16)
        SERVING.set(request_id)  # this task serves this request only
        # Until the answer starts; a stream (SSE) then goes on, and a route with its own limit
        # lifts it (lift_deadline).
        deadline = asyncio.timeout(self.timeout_s)
        scope.setdefault("state", {}).update(request_id=request_id, deadline=deadline)
        csp = CSP_DOCS if scope["path"].startswith(DOCS) else self.csp
        extra = [*SECURITY, (b"content-security-policy", csp),
                 (b"x-request-id", request_id.encode())]
        started = reading = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _lift(deadline)
                self.stats.record(scope, message["status"])
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        try:
            async with deadline:
                if (name := _nul_parameter(scope)) is not None:
                    # Postgres text cannot hold NUL: refused here for every route at once.
                    await _answer(send_with_headers, 422, ErrorCode.bad_input,
                                  f"query.{name}: contains a NUL character (\\u0000)",
                                  request_id)
                    return
                reading = True
                try:
                    replay = await self._buffer_body(scope, receive)
                except TooLarge:
                    await _answer(send_with_headers, 413, ErrorCode.bad_input,
                                  f"body: larger than the limit of {self.max_body_bytes} bytes",
                                  request_id)
                    return
                reading = False
                try:
                    await self.app(scope, replay, send_with_headers)
                except Exception:
                    log.exception("unhandled error", extra={"path": scope["path"]})
                    if started:
                        raise  # headers are out; the server can only cut the connection
                    await _answer(send_with_headers, 500, ErrorCode.internal,
                                  "internal error", request_id)
        except TimeoutError:
            if not deadline.expired() or started:
                raise
            log.warning("request timed out", extra={"path": scope["path"],
                                                    "timeout_s": self.timeout_s})
            if reading:
                await _answer(send_with_headers, 408, ErrorCode.timeout,
                              f"body: not received within {self.timeout_s:g} s", request_id)
            else:
                await _answer(send_with_headers, 504, ErrorCode.timeout,
                              f"not answered within {self.timeout_s:g} s; it may have taken "
                              "effect (a job: retry with the same Idempotency-Key)", request_id)

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


def lift_deadline(scope: Scope) -> None:
    """For a route that waits under a limit of its own (the seed's synchronous routes): the
    request timeout no longer applies to this request."""
    deadline = scope.get("state", {}).get("deadline")
    if deadline is not None:
        _lift(deadline)


def _lift(deadline: asyncio.Timeout) -> None:
    try:
        deadline.reschedule(None)
    except RuntimeError:
        pass  # expired already (this is the timeout's own answer), or its block ended


_factory_installed = False


def _log_request_ids() -> None:
    """Every log record written while a request is served carries its id, whichever module
    writes it (so `extra` must not name `request_id` itself)."""
    global _factory_installed
    if _factory_installed:
        return
    make = logging.getLogRecordFactory()

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made = make(*args, **kwargs)
        request_id = SERVING.get()
        if request_id is not None:
            made.request_id = request_id
        return made

    logging.setLogRecordFactory(record)
    _factory_installed = True


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


def _nul_parameter(scope: Scope) -> str | None:
    """The first query parameter whose name or value holds NUL, if any does."""
    query = scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "\\u0000")
    return None


def _incoming_id(scope: Scope) -> str | None:
    value = _header(scope, b"x-request-id")
    return value if value and REQUEST_ID.match(value) else None
