"""The ingress of tests/http and the whole platform of tests/e2e, for the dashboard's tests."""

import pytest
from playwright.async_api import async_playwright

from store.keys import create_key
from tests.dashboard.browser import SHOTS
from tests.e2e.conftest import platform, receiver  # noqa: F401  (fixtures)
from tests.http.conftest import key, serve  # noqa: F401  (fixtures)


@pytest.fixture
async def admin(clean_db):
    """A key that may also see and handle dead letters."""
    return await create_key(clean_db, name="operator", scopes=("submit", "read", "admin"))


@pytest.fixture
async def chromium(settings):
    """Debian's Chromium with the flags wowz runs it with."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=settings.browser.chromium_path,
                                          args=settings.browser.chromium_args, headless=True)
        yield browser
        await browser.close()
