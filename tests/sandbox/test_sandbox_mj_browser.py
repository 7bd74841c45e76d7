"""In real Chromium, the seed's cookies open the imagine page and the page's own fetch submits."""

from __future__ import annotations

import shutil

import pytest

from sandbox import Sandbox

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as playwright:
        # The system Chromium when there is one: Playwright's own build may not be downloadable.
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        try:
            launched = await playwright.chromium.launch(executable_path=executable)
        except playwright_api.Error as exc:
            pytest.skip(f"no Chromium to launch: {exc}")
        yield launched
        await launched.close()


async def test_seed_cookies_with_secure_added_sign_chromium_in(browser, sign_in, sandbox: Sandbox):
    session = await sign_in("mj-1")
    context = await browser.new_context()
    # Chromium refuses a __Host- cookie that is not Secure; on 127.0.0.1 a Secure cookie is
    # still sent over plain http, because loopback counts as a secure origin.
    await context.add_cookies([{**cookie, "secure": True} for cookie in session.cookies])
    page = await context.new_page()

    await page.goto(f"{sandbox.midjourney_url}/imagine")
    assert await page.locator("#desktop_input_bar").count() == 1

    status, body = await page.evaluate(
        """async (userId) => {
            const response = await fetch('/api/submit-jobs', {
                method: 'POST',
                headers: {'content-type': 'application/json', 'x-csrf-protection': '1'},
                body: JSON.stringify({f: {mode: 'fast', private: false},
                    channelId: 'singleplayer_' + userId, roomId: null, metadata: {},
                    t: 'imagine', prompt: 'from the page --ar 3:2'}),
            });
            return [response.status, await response.json()];
        }""",
        session.user_id,
    )
    assert status == 200
    assert body["success"][0]["meta"]["width"] == 128

    await page.fill("#desktop_input_bar", "typed into the imagine bar")
    await page.press("#desktop_input_bar", "Enter")
    await page.wait_for_function(
        "() => [...document.querySelectorAll('li.sandbox-job img')].filter("
        "img => img.complete && img.naturalWidth === 128).length === 4",
        timeout=5000,
    )
    stats = sandbox.state.stats.as_json()
    assert stats["submissions_by_account"] == {"mj-1": 2}
    assert stats["cdn_downloads"] == 4
    await context.close()


async def test_seed_cookies_as_they_are_are_refused_by_chromium(browser, sign_in):
    session = await sign_in("mj-1")
    context = await browser.new_context()

    with pytest.raises(playwright_api.Error, match="Invalid cookie fields"):
        await context.add_cookies(session.cookies)
    await context.close()
