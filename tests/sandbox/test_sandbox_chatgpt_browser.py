"""The ChatGPT stand-in in real Chromium: a profile logged in once keeps its session, the
composer sends an attached image and a prompt, and the answer streams into the page."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.browser

COMPOSER = "#prompt-textarea"
SEND = "[data-testid=composer-submit-button]"
STOP = "[data-testid=stop-button]"


@pytest.fixture
async def chatgpt(running_sandbox):
    async with httpx.AsyncClient(base_url=running_sandbox.chatgpt_url) as control:
        await control.post("/_sandbox/reset")
        await control.post("/_sandbox/config", json={"answer_s": 1.0, "images_per_answer": 1,
                                                     "image_size": 64})
        yield control


@pytest.fixture
async def playwright():
    async with playwright_api.async_playwright() as running:
        yield running


async def profile(playwright, settings, path):
    return await playwright.chromium.launch_persistent_context(
        str(path), executable_path=settings.browser.chromium_path, headless=True,
        args=settings.browser.chromium_args)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_profile_logged_in_once_opens_the_gpt_after_a_restart(
        playwright, settings, chatgpt, tmp_path):
    url = str(chatgpt.base_url)
    context = await profile(playwright, settings, tmp_path / "p")
    page = context.pages[0]
    await page.goto(f"{url}/g/g-remix")
    assert await page.locator("[data-testid=login-button]").count() == 1
    await page.goto(f"{url}/_sandbox/login/gpt-1?next=/g/g-remix")
    assert await page.locator(COMPOSER).count() == 1
    await context.close()
    context = await profile(playwright, settings, tmp_path / "p")
    await context.pages[0].goto(f"{url}/g/g-remix")
    assert await context.pages[0].locator(COMPOSER).count() == 1
    await context.close()


async def test_an_attached_image_and_a_prompt_stream_into_a_new_conversation(
        playwright, settings, chatgpt, tmp_path):
    url = str(chatgpt.base_url)
    context = await profile(playwright, settings, tmp_path / "p")
    page = context.pages[0]
    await page.goto(f"{url}/_sandbox/login/gpt-1?next=/g/g-remix")
    await page.set_input_files("input[type=file]", files=[
        {"name": "mine.png", "mimeType": "image/png", "buffer": png()}])
    await page.locator(COMPOSER).fill("a green frog")
    await page.wait_for_function(f"!document.querySelector('{SEND}').disabled")
    await page.click(SEND)
    await page.locator(STOP).wait_for(state="visible")
    await page.locator('img[alt="Generated image"]').wait_for()
    await page.locator(STOP).wait_for(state="hidden")
    assert "/g/g-remix/c/" in page.url
    assert await page.locator('img[alt="Uploaded image"]').count() == 1
    assert await page.locator('img[alt="Generated image"]').count() == 1
    answer = await page.locator("[data-message-author-role=assistant]").first.inner_text()
    assert "Remixed product design: a green frog, keeping the uploaded layout" in answer
    stats = (await chatgpt.get("/_sandbox/stats")).json()
    assert stats["uploads"] == 1 and stats["messages"] == 1
    await context.close()
