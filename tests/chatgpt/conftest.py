import httpx
import pytest

from tests.chatgpt.helpers import ImageOrigin


@pytest.fixture
async def control(sandbox):
    """The ChatGPT stand-in's control API, answering in 1 s with one image."""
    async with httpx.AsyncClient(base_url=sandbox.chatgpt_url) as client:
        await client.post("/_sandbox/config", json={"answer_s": 1.0, "images_per_answer": 1,
                                                    "image_size": 96})
        yield client


@pytest.fixture
async def images():
    async with ImageOrigin() as origin:
        yield origin
