"""A sandbox per test on free ports, and signed-in HTTP clients for its accounts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sandbox import Sandbox, start_sandbox

GENERATION_S = 0.3
IMAGE_SIZE = 128
ID_COOKIE = "__Host-Midjourney.AuthUserTokenV3_i"


def imagine_body(user_id: str, prompt: str, **overrides: Any) -> dict[str, Any]:
    """A valid submit-jobs body as the web app sends it; each test overrides what it breaks."""
    body = {
        "f": {"mode": "fast", "private": False},
        "channelId": f"singleplayer_{user_id}",
        "roomId": None,
        "metadata": {"imageUrls": [], "isMobile": None},
        "t": "imagine",
        "prompt": prompt,
    }
    body.update(overrides)
    return body


@dataclass
class SignedIn:
    """An account's browser-like session: its cookies and the CSRF header on every call."""

    account_id: str
    user_id: str
    cookies: list[dict[str, str]]
    http: httpx.AsyncClient

    async def submit(self, prompt: str, **overrides: Any) -> httpx.Response:
        return await self.http.post(
            "/api/submit-jobs", json=imagine_body(self.user_id, prompt, **overrides)
        )

    async def imagine(self, prompt: str) -> str:
        response = await self.submit(prompt)
        assert response.status_code == 200, response.text
        return response.json()["success"][0]["job_id"]

    async def status(self, *job_ids: str) -> list[dict[str, Any]]:
        response = await self.http.post("/api/job-status", json={"jobIds": list(job_ids)})
        assert response.status_code == 200, response.text
        return response.json()

    async def wait_until_done(self, job_id: str, timeout_s: float = 3.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout_s):
            while True:
                (job,) = await self.status(job_id)
                if job["current_status"] in ("completed", "failed"):
                    return job
                await asyncio.sleep(0.02)


SignIn = Callable[..., Awaitable[SignedIn]]


@pytest.fixture(scope="session")
async def running_sandbox() -> AsyncIterator[Sandbox]:
    async with await start_sandbox(generation_s=GENERATION_S, image_size=IMAGE_SIZE) as running:
        yield running


@pytest.fixture
async def sandbox(running_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox with no jobs, zero counters and the test config; accounts stay."""
    async with httpx.AsyncClient(base_url=running_sandbox.midjourney_url) as client:
        (await client.post("/_sandbox/reset")).raise_for_status()
        config = {"generation_s": GENERATION_S, "image_size": IMAGE_SIZE}
        (await client.post("/_sandbox/config", json=config)).raise_for_status()
    return running_sandbox


@pytest.fixture
async def control(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An unauthenticated client on the web origin, for /_sandbox/* and anonymous pages."""
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        yield client


@pytest.fixture
async def cdn(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.cdn_url) as client:
        yield client


@pytest.fixture
async def sign_in(sandbox: Sandbox, control: httpx.AsyncClient) -> AsyncIterator[SignIn]:
    clients: list[httpx.AsyncClient] = []

    async def make(account_id: str = "mj-1", *, csrf: bool = True, **account: Any) -> SignedIn:
        response = await control.post(
            "/_sandbox/accounts", json={"account_id": account_id, **account}
        )
        assert response.status_code == 200, response.text
        created = response.json()
        http = httpx.AsyncClient(
            base_url=sandbox.midjourney_url,
            cookies={cookie["name"]: cookie["value"] for cookie in created["cookies"]},
            headers={"x-csrf-protection": "1"} if csrf else {},
        )
        clients.append(http)
        return SignedIn(account_id, created["user_id"], created["cookies"], http)

    yield make
    for client in clients:
        await client.aclose()
