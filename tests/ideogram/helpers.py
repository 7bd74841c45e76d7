"""Helpers of the Ideogram provider tests."""

import io
import uuid

import httpx
from fastapi import FastAPI, Response
from PIL import Image

from consumers.ideogram.service import adapter_factory
from consumers.providers.accounts import Account
from consumers.providers.browser import BrowserConfig
from consumers.providers.service import ProviderService
from schemas.events import Event, JobRequested
from schemas.jobs import parse_request
from store.objects import LocalStore


def png(width: int = 48, height: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_app() -> FastAPI:
    app = FastAPI()
    app.add_api_route("/fox.png", lambda: Response(png(), media_type="image/png"))
    app.add_api_route("/notes.txt", lambda: Response(b"not an image", media_type="text/plain"))
    app.add_api_route("/huge.png", lambda: Response(b"\x89PNG" + bytes(11 * 1024 * 1024),
                                                    media_type="image/png"))
    return app


async def ideogram_account(box, account_id: str, **extra) -> Account:
    """An account in the stand-in, its tokens from the stand-in's token service."""
    async with httpx.AsyncClient(base_url=box.ideogram_url) as client:
        created = (await client.post("/_sandbox/accounts",
                                     json={"account_id": account_id})).json()
    return Account(id=account_id, provider="ideogram", user_id=created["user_id"],
                   token_url=f"{box.ideogram_token_url}/token/{account_id}", **extra)


async def start_service(settings, sandbox, pool, amqp, accounts, tmp_path, **kw):
    await sandbox_post(sandbox, "/_sandbox/config", {"generation_s": kw.pop("generation_s", 0.3)})
    factory = adapter_factory(
        browser=BrowserConfig(executable=settings.browser.chromium_path,
                              args=settings.browser.chromium_args),
        profiles_dir=tmp_path / "profiles", web_url=sandbox.ideogram_url,
        bucket="product-ideas", allow_private_urls=kw.pop("allow_private_urls", True), pool=pool,
        poll_interval_s=kw.pop("poll_interval_s", 0.2),
        **{k: kw.pop(k) for k in ("token_margin_s", "token_ahead_s") if k in kw})
    service = ProviderService(
        provider="ideogram", accounts=accounts, adapter_factory=factory, pool=pool,
        connection=amqp, objects=LocalStore(tmp_path / "objects", "http://files.test"),
        recheck_s=kw.pop("recheck_s", 0.5), **kw)
    await service.start()
    return service


def request(action: str, timeout_s: int = 60, **input_) -> Event:
    parsed = parse_request({"provider": "ideogram", "action": action, "input": input_,
                            "timeout_s": timeout_s})
    return Event.of(JobRequested(job_id=str(uuid.uuid4()), provider="ideogram", seq=0,
                                 action=action, input=parsed.input, timeout_s=timeout_s))


async def sandbox_stats(box) -> dict:
    async with httpx.AsyncClient(base_url=box.ideogram_url) as client:
        return (await client.get("/_sandbox/stats")).json()


async def sandbox_post(box, path: str, body: dict | None = None) -> dict:
    async with httpx.AsyncClient(base_url=box.ideogram_url) as client:
        return (await client.post(path, json=body or {})).raise_for_status().json()


async def sandbox_get(box, path: str):
    async with httpx.AsyncClient(base_url=box.ideogram_url) as client:
        return (await client.get(path)).raise_for_status().json()
