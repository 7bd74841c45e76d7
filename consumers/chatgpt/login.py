"""Logging an account's profile in: a browser on that profile, opened where the user (or the
sandbox) logs in. The login lives in the profile's cookies from then on."""

import asyncio
from pathlib import Path

from playwright.async_api import async_playwright

from consumers.providers.browser import BrowserConfig


async def open_profile(config: BrowserConfig, profile_dir: Path, url: str, *,
                       until_closed: bool) -> None:
    """Open `url` on the profile; with `until_closed`, wait until the user closes the window."""
    profile_dir.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile_dir), executable_path=config.executable, headless=config.headless,
            args=config.args)
        page = context.pages[0] if context.pages else await context.new_page()
        await page.goto(url, wait_until="domcontentloaded")
        if until_closed:
            closed = asyncio.Event()
            context.on("close", lambda _: closed.set())
            await closed.wait()
        else:
            await context.close()
