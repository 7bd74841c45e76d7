"""Image URLs users give (image prompts, describe, blend, video) are fetched with checks."""

import httpx
import pytest

from consumers.midjourney.sources import ImageFetcher
from schemas.errors import BadInput
from schemas.inputs.midjourney import MidjourneyBlend, MidjourneyImagine, MidjourneyVideo

pytestmark = pytest.mark.unit


async def _upload_url(sandbox, data: bytes, content_type="image/png") -> str:
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        created = (await client.post("/_sandbox/accounts", json={"account_id": "src"})).json()
        client.cookies.update({c["name"]: c["value"] for c in created["cookies"]})
        response = await client.post("/api/storage-upload-file",
                                     headers={"x-csrf-protection": "1"},
                                     files={"file": ("f", data, content_type)})
    return response.json()["url"]


def _png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


async def test_a_png_at_an_allowed_address_is_fetched_with_its_type(sandbox):
    url = await _upload_url(sandbox, _png())

    data, content_type = await ImageFetcher(allow_private=True).fetch(url)

    assert data == _png() and content_type == "image/png"


async def test_a_private_address_is_refused_unless_allowed(sandbox):
    url = await _upload_url(sandbox, _png())

    with pytest.raises(BadInput, match="loopback"):
        await ImageFetcher().fetch(url)


async def test_an_image_over_the_size_limit_is_refused(sandbox):
    url = await _upload_url(sandbox, _png())

    with pytest.raises(BadInput, match="over 50"):
        await ImageFetcher(allow_private=True, max_bytes=50).fetch(url)


async def test_a_file_that_is_not_an_image_is_refused_whatever_its_content_type(sandbox):
    url = await _upload_url(sandbox, b"<html>hello</html>", "image/png")

    with pytest.raises(BadInput, match="not an image"):
        await ImageFetcher(allow_private=True).fetch(url)


def test_inputs_take_the_field_names_clients_rely_on():
    imagine = MidjourneyImagine.model_validate(
        {"prompt": "a cat", "image_urls": ["https://example.com/a.png"], "options": {}})
    video = MidjourneyVideo.model_validate({"job_id": "j", "index": 1, "motion": "high"})

    assert imagine.image_urls == ["https://example.com/a.png"] and video.motion == "high"
    with pytest.raises(ValueError, match="either image_url or job_id"):
        MidjourneyVideo.model_validate({"image_url": "https://e.com/a.png", "job_id": "j",
                                        "index": 0})
    with pytest.raises(ValueError, match="image url must be http"):
        MidjourneyBlend.model_validate({"image_urls": ["ftp://e.com/a", "https://e.com/b"]})
    with pytest.raises(ValueError, match="at least 2"):
        MidjourneyBlend.model_validate({"image_urls": ["https://e.com/a"]})
