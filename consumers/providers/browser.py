"""One Chromium per account, shared by all of its concurrent jobs.

A persistent context (profile dir per account) with the account's cookies injected and one page
open on the provider's origin; the provider's web API is called with `fetch` inside that page,
as the site itself does, and files are downloaded through the context's request client (same
cookies). When Chromium dies, the next call launches it again."""

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

log = logging.getLogger("wowz.browser")

FETCH_JS = """async ([url, method, headers, body]) => {
  const response = await fetch(url, {method, headers, body, credentials: "include"});
  return {status: response.status, headers: Object.fromEntries(response.headers),
          text: await response.text()};
}"""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class BrowserConfig:
    executable: str | None
    args: list[str]
    headless: bool = True


class BrowserSession:
    def __init__(self, *, config: BrowserConfig, profile_dir: Path, origin: str,
                 start_path: str = "/", cookies: list[dict] | None = None):
        self.config = config
        self.profile_dir = profile_dir
        self.origin = origin.rstrip("/")
        self.start_path = start_path
        self.cookies = cookies or []
        self._playwright: Playwright | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._lock = asyncio.Lock()
        self.launches = 0

    async def page(self) -> Page:
        """The session's page, launching or relaunching Chromium when needed."""
        if self._page is not None and not self._page.is_closed():
            return self._page
        async with self._lock:
            if self._page is None or self._page.is_closed():
                await self._launch()
        return self._page

    async def _launch(self) -> None:
        await self._close_context()
        if self._playwright is None:
            self._playwright = await async_playwright().start()
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        self._context = await self._playwright.chromium.launch_persistent_context(
            str(self.profile_dir), executable_path=self.config.executable,
            headless=self.config.headless, args=self.config.args)
        if self.cookies:
            await self._context.add_cookies([_playwright_cookie(c) for c in self.cookies])
        page = self._context.pages[0] if self._context.pages else await self._context.new_page()
        await page.goto(self.origin + self.start_path, wait_until="domcontentloaded")
        self._page = page
        self.launches += 1
        log.info("browser launched for %s (launch %d)", self.profile_dir.name, self.launches)

    async def set_cookies(self, cookies: list[dict]) -> None:
        """Replace the cookies (new credentials); takes effect at once in the live browser."""
        self.cookies = cookies
        if self._context is not None:
            await self._context.clear_cookies()
            await self._context.add_cookies([_playwright_cookie(c) for c in cookies])

    async def goto(self, path: str) -> Page:
        page = await self.page()
        await page.goto(self.origin + path, wait_until="domcontentloaded")
        return page

    async def fetch(self, method: str, path: str, *, json_body: Any = None,
                    headers: dict[str, str] | None = None) -> Response:
        page = await self.page()
        all_headers = dict(headers or {})
        body = None
        if json_body is not None:
            all_headers.setdefault("content-type", "application/json")
            body = json.dumps(json_body)
        result = await page.evaluate(FETCH_JS, [self.origin + path, method, all_headers, body])
        return Response(result["status"], result["headers"], result["text"])

    async def download(self, url: str, *, max_bytes: int = 50_000_000) -> tuple[bytes, str]:
        """GET a file with the session's cookies; returns (bytes, content type)."""
        await self.page()
        response = await self._context.request.get(url, timeout=60_000)
        if response.status != 200:
            raise OSError(f"download {url}: HTTP {response.status}")
        body = await response.body()
        if len(body) > max_bytes:
            raise OSError(f"download {url}: {len(body)} bytes is over {max_bytes}")
        return body, response.headers.get("content-type", "application/octet-stream")

    async def _close_context(self) -> None:
        if self._context is not None:
            try:
                await self._context.close()
            except PlaywrightError as exc:  # already dead: that is why we relaunch
                log.debug("closing a dead browser: %s", exc)
        self._context, self._page = None, None

    async def close(self) -> None:
        await self._close_context()
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None


def _playwright_cookie(cookie: dict) -> dict:
    """Seed cookie -> Playwright cookie. `__Host-`/`__Secure-` cookies must be Secure."""
    name = cookie["name"]
    out = {"name": name, "value": cookie["value"], "domain": cookie.get("domain", ""),
           "path": cookie.get("path", "/"),
           "secure": bool(cookie.get("secure")) or name.startswith(("__Host-", "__Secure-"))}
    for key in ("httpOnly", "sameSite", "expires"):
        if key in cookie:
            out[key] = cookie[key]
    return out
