"""Images a user gives by URL (image prompts, remix sources, attachments), fetched for every
provider the same way: only from public addresses (unless private ones are allowed), each
redirect hop checked again, the request sent to the address that was checked (a second DNS
answer cannot send it elsewhere), at most `max_bytes`, and only if it decodes as an image. A
URL that fails any of this is the user's mistake: `bad_input`, never retried."""

import asyncio
import io
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx
from PIL import Image, UnidentifiedImageError

from schemas.errors import BadInput
from schemas.urls import blocked_reason

MAX_REDIRECTS = 3


@dataclass
class SourceImage:
    name: str
    content_type: str
    data: bytes


async def fetch_image(url: str, *, allow_private: bool, max_bytes: int = 10 * 1024 * 1024,
                      field: str = "image_url", timeout_s: float = 30.0,
                      blocked: Callable[[str], str | None] = blocked_reason) -> SourceImage:
    """`field` names the input field in errors. `blocked` judges each address (the URL's and
    every redirect's): the policy of schemas.urls, or a test's that lets its own server on
    loopback through and judges the rest by that policy."""
    try:
        async with asyncio.timeout(timeout_s), httpx.AsyncClient(
                timeout=None, follow_redirects=False, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                parts = urlsplit(url)
                address = await _checked_address(parts, allow_private, field, blocked)
                data, location = await _get(client, parts, address, max_bytes, field)
                if location is None:
                    return _as_image(url, data, field)
                url = urljoin(url, location)
    except TimeoutError:
        raise BadInput(f"{field}: no answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise BadInput(f"{field} could not be fetched: {type(exc).__name__}") from None
    raise BadInput(f"{field}: more than {MAX_REDIRECTS} redirects")


async def _checked_address(parts: SplitResult, allow_private: bool, field: str,
                           blocked: Callable[[str], str | None]) -> str:
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{field} must be an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port,
                                                             type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BadInput(f"{field}: cannot resolve {parts.hostname}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in () if allow_private else addresses:
        reason = blocked(address)
        if reason:
            raise BadInput(f"{field}: {parts.hostname} is a {reason}")
    return addresses[0]


async def _get(client: httpx.AsyncClient, parts: SplitResult, address: str, max_bytes: int,
               field: str) -> tuple[bytes, str | None]:
    """The body (at most max_bytes), or the Location of a redirect."""
    host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))
    request = client.build_request(
        "GET", pinned, headers={"host": parts.netloc, "accept": "image/*"},
        extensions={"sni_hostname": parts.hostname} if parts.scheme == "https" else {})
    response = await client.send(request, stream=True)
    too_big = f"{field}: the image is over {max_bytes // (1024 * 1024)} MB"
    try:
        if response.is_redirect and response.headers.get("location"):
            return b"", response.headers["location"]
        if response.status_code != 200:
            raise BadInput(f"{field} answered HTTP {response.status_code}")
        if int(response.headers.get("content-length") or 0) > max_bytes:
            raise BadInput(too_big)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise BadInput(too_big)
        return bytes(body), None
    finally:
        await response.aclose()


def _as_image(url: str, data: bytes, field: str) -> SourceImage:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").lower()
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadInput(f"{field} is not an image") from None
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "image"
    if "." not in name:
        name = f"{name}.{kind or 'png'}"
    return SourceImage(name=name, content_type=Image.MIME.get(kind.upper(), "image/png"),
                       data=data)
