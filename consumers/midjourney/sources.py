"""Images a user names by URL (image prompts, describe, blend, video): fetched by us, checked,
then uploaded to Midjourney. A URL that is not public (unless allowed), not an image or over
the size limit is the user's mistake: `bad_input`, never retried."""

import asyncio
import io
import socket
from urllib.parse import urljoin, urlsplit

import httpx
from PIL import Image, UnidentifiedImageError

from schemas.errors import BadInput
from schemas.urls import blocked_reason

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3


class ImageFetcher:
    def __init__(self, *, allow_private: bool = False, max_bytes: int = MAX_BYTES,
                 timeout_s: float = 30.0):
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def fetch(self, url: str) -> tuple[bytes, str]:
        """(bytes, content type) of the image at `url`; redirects are followed and checked."""
        async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                await self._check_host(url)
                async with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise BadInput(f"image {url}: HTTP {response.status_code}")
                    data = await self._read(url, response)
                    return data, _image_type(url, data)
        raise BadInput(f"image {url}: more than {MAX_REDIRECTS} redirects")

    async def _check_host(self, url: str) -> None:
        host = urlsplit(url).hostname
        if not host:
            raise BadInput(f"image {url}: no host")
        if self.allow_private:
            return
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None,
                                                                 type=socket.SOCK_STREAM)
        except OSError as exc:
            raise BadInput(f"image {url}: {host} does not resolve ({exc})") from None
        for info in infos:
            reason = blocked_reason(info[4][0])
            if reason:
                raise BadInput(f"image {url}: {host} is a {reason}")

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise BadInput(f"image {url}: {declared} bytes is over {self.max_bytes}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise BadInput(f"image {url}: over {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _image_type(url: str, data: bytes) -> str:
    """The MIME type of the image Pillow finds in `data` (the server's word is not enough)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").lower()
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadInput(f"image {url}: not an image") from None
    return f"image/{'jpeg' if kind == 'jpg' else kind}"
