"""The image a user gives by URL (remix, describe): fetched only from public addresses unless
private ones are allowed, at most 10 MB, and only if it decodes as an image. Every redirect hop
is checked again, and the request goes to the address that was checked (DNS rebinding)."""

import asyncio
import io
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx
from PIL import Image, UnidentifiedImageError

from schemas.errors import BadInput
from schemas.urls import blocked_reason

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3


@dataclass
class SourceImage:
    name: str
    content_type: str
    data: bytes


async def fetch_image(url: str, *, allow_private: bool, timeout_s: float = 30.0) -> SourceImage:
    try:
        async with asyncio.timeout(timeout_s), httpx.AsyncClient(
                timeout=None, follow_redirects=False, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                parts = urlsplit(url)
                address = await _checked_address(parts, allow_private)
                data, location = await _get(client, parts, address)
                if location is None:
                    return _as_image(url, data)
                url = urljoin(url, location)
    except TimeoutError:
        raise BadInput(f"image_url: no answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise BadInput(f"image_url could not be fetched: {type(exc).__name__}") from None
    raise BadInput(f"image_url: more than {MAX_REDIRECTS} redirects")


async def _checked_address(parts: SplitResult, allow_private: bool) -> str:
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput("image_url must be an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port,
                                                             type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BadInput(f"image_url: cannot resolve {parts.hostname}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in () if allow_private else addresses:
        reason = blocked_reason(address)
        if reason:
            raise BadInput(f"image_url: {parts.hostname} is a {reason}")
    return addresses[0]


async def _get(client: httpx.AsyncClient, parts: SplitResult,
               address: str) -> tuple[bytes, str | None]:
    """The body (at most MAX_BYTES), or the Location of a redirect."""
    host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))
    request = client.build_request(
        "GET", pinned, headers={"host": parts.netloc, "accept": "image/*"},
        extensions={"sni_hostname": parts.hostname} if parts.scheme == "https" else {})
    response = await client.send(request, stream=True)
    try:
        if response.is_redirect and response.headers.get("location"):
            return b"", response.headers["location"]
        if response.status_code != 200:
            raise BadInput(f"image_url answered HTTP {response.status_code}")
        if int(response.headers.get("content-length") or 0) > MAX_BYTES:
            raise BadInput("image_url: the image is over 10 MB")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise BadInput("image_url: the image is over 10 MB")
        return bytes(body), None
    finally:
        await response.aclose()


def _as_image(url: str, data: bytes) -> SourceImage:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "png").lower()
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise BadInput("image_url is not an image") from None
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "image"
    if "." not in name:
        name = f"{name}.{kind}"
    return SourceImage(name, Image.MIME.get(kind.upper(), "image/png"), data)
