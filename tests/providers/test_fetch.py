"""Fetching the image a user names by URL."""

import io

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from consumers.providers.fetch import fetch_image
from schemas.errors import BadInput
from tests.e2e.receiver import Receiver

pytestmark = pytest.mark.connected


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


class Files(Receiver):
    def app(self):
        return Starlette(routes=[
            Route("/fox.png", lambda r: Response(png(), media_type="image/png")),
            Route("/big.png", lambda r: Response(png((900, 900)), media_type="image/png")),
            Route("/page", lambda r: Response(b"<html>no</html>", media_type="image/png")),
            Route("/moved", lambda r: RedirectResponse("/fox.png")),
            Route("/loop", lambda r: RedirectResponse("/loop"))])


@pytest.fixture
async def files():
    server = await Files().start()
    yield server
    await server.stop()


async def test_an_image_is_fetched_through_redirects(files):
    image = await fetch_image(f"{files.url}/moved", allow_private=True)
    assert image.content_type == "image/png" and image.name == "fox.png"
    assert Image.open(io.BytesIO(image.data)).size == (40, 30)


@pytest.mark.parametrize("path, kwargs, problem", [
    ("/fox.png", {"allow_private": False}, "loopback"),
    ("/page", {"allow_private": True}, "not an image"),
    ("/big.png", {"allow_private": True, "max_bytes": 1024}, "over"),
    ("/loop", {"allow_private": True}, "redirects"),
    ("/missing", {"allow_private": True}, "HTTP 404"),
])
async def test_what_cannot_be_used_is_bad_input_naming_the_field(files, path, kwargs, problem):
    with pytest.raises(BadInput, match=problem) as caught:
        await fetch_image(f"{files.url}{path}", field="input.image_urls.0", **kwargs)
    assert caught.value.message.startswith("input.image_urls.0")


async def test_a_url_that_is_not_http_is_bad_input():
    with pytest.raises(BadInput, match="http"):
        await fetch_image("file:///etc/passwd", allow_private=True)
