"""A browser with an account's cookies sees the imagine bar; without them, the login page."""

from __future__ import annotations

import httpx
import pytest

from sandbox import start_sandbox

pytestmark = pytest.mark.unit

IMAGINE_BAR = 'id="desktop_input_bar"'


async def test_accounts_cookies_are_the_seeds_cookies_json_for_the_web_host(sign_in, sandbox):
    session = await sign_in("mj-1")

    names = {cookie["name"] for cookie in session.cookies}
    assert names == {"__Host-Midjourney.AuthUserTokenV3_i", "__Host-Midjourney.AuthUserTokenV3_r"}
    for cookie in session.cookies:
        assert set(cookie) == {"name", "value", "domain", "path"}
        assert cookie["domain"] == httpx.URL(sandbox.midjourney_url).host
        assert cookie["path"] == "/"
        assert len(cookie["value"]) >= 20


async def test_signed_in_browser_opens_the_imagine_page_with_the_imagine_bar(sign_in):
    session = await sign_in("mj-1")

    for path in ("/imagine", "/"):
        page = await session.http.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert IMAGINE_BAR in page.text
        assert 'placeholder="What will you imagine?"' in page.text
        assert page.text.index("<form") < page.text.index(IMAGINE_BAR)
        assert session.user_id in page.text


async def test_browser_without_cookies_gets_the_login_page(control):
    page = await control.get("/imagine")

    assert page.status_code == 200
    assert "<title>Sign in - Midjourney</title>" in page.text
    assert "Log In" in page.text
    assert IMAGINE_BAR not in page.text


async def test_browser_whose_token_expired_gets_the_login_page(sign_in, control):
    session = await sign_in("mj-1")
    await control.post("/_sandbox/accounts/mj-1/expire")

    page = await session.http.get("/imagine")

    assert "Sign in - Midjourney" in page.text
    assert IMAGINE_BAR not in page.text


async def test_pages_need_no_csrf_header(sign_in):
    session = await sign_in("mj-1", csrf=False)

    assert IMAGINE_BAR in (await session.http.get("/imagine")).text


async def test_the_sandbox_stops_and_frees_its_ports():
    sandbox = await start_sandbox()
    url = sandbox.midjourney_url
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{url}/imagine")).status_code == 200
        await sandbox.stop()
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{url}/imagine")
