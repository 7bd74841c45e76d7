"""Where the browser tests put screenshots, and logging in as a user does."""

from pathlib import Path

from playwright.async_api import expect

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"


async def log_in(page, base: str, api_key: str) -> None:
    await page.goto(f"{base}/")
    await expect(page).to_have_url(f"{base}/ui/login?next=/")
    await page.fill("#api_key", api_key)
    await page.keyboard.press("Enter")
    await expect(page.locator("h1, .error").first).to_have_text("Jobs")
