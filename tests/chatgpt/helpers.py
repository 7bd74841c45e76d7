"""Helpers of the ChatGPT provider tests: profiles logged in to the stand-in, the service on
them, job events, and a small origin serving the images users give by URL."""

import asyncio
import contextlib
import io
import socket
import uuid
from typing import Self

import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from consumers.chatgpt.login import open_profile
from consumers.chatgpt.service import adapter_factory
from consumers.providers.accounts import Account
from consumers.providers.browser import BrowserConfig
from consumers.providers.service import ProviderService
from schemas.events import Event, JobRequested
from schemas.jobs import parse_request
from store.objects import LocalStore

GPT_PATH = "/g/g-682b4c8d88848191accff36501109e7e-wowz-ai-assistant-remix-design"



def browser_config(settings) -> BrowserConfig:
    return BrowserConfig(executable=settings.browser.chromium_path,
                         args=settings.browser.chromium_args)


async def logged_in_account(settings, sandbox, account_id: str, tmp_path) -> Account:
    """An account whose profile went through the stand-in's login once (as a user would)."""
    await open_profile(browser_config(settings), tmp_path / "profiles" / account_id,
                       f"{sandbox.chatgpt_url}/_sandbox/login/{account_id}", until_closed=False)
    return Account(id=account_id, provider="chatgpt", concurrency=1)


async def start_service(settings, sandbox, pool, amqp, accounts, tmp_path, **kw):
    factory = adapter_factory(browser=browser_config(settings), profiles_dir=tmp_path / "profiles",
                              gpt_url=sandbox.chatgpt_url + GPT_PATH, bucket="chatgpt-images",
                              allow_private_urls=True)
    service = ProviderService(
        provider="chatgpt", accounts=accounts, adapter_factory=factory, pool=pool,
        connection=amqp, objects=LocalStore(tmp_path / "objects", "http://files.test"),
        recheck_s=kw.pop("recheck_s", 0.5), **kw)
    await service.start()
    return service


def job(action: str, timeout_s: int = 60, **input) -> Event:
    request = parse_request({"provider": "chatgpt", "action": action, "input": input,
                             "timeout_s": timeout_s})
    return Event.of(JobRequested(job_id=str(uuid.uuid4()), provider="chatgpt", seq=0,
                                 action=request.action, input=request.input,
                                 timeout_s=request.timeout_s))


def png(width: int = 48, height: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 200)).save(buffer, "PNG")
    return buffer.getvalue()


class _Server(uvicorn.Server):
    def capture_signals(self):
        return contextlib.nullcontext()


class ImageOrigin:
    """Where users' images live: a PNG, a text file, and an image over 20 MB."""

    def __init__(self):
        self.url = ""
        self._server = None
        self._task = None

    async def __aenter__(self) -> Self:
        big = b"\x89PNG\r\n\x1a\n" + b"\0" * (21 * 1024 * 1024)
        app = Starlette(routes=[
            Route("/design.png", lambda r: Response(png(), media_type="image/png")),
            Route("/notes.txt", lambda r: Response(b"hello", media_type="text/plain")),
            Route("/huge.png", lambda r: Response(big, media_type="image/png"))])
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.should_exit = True
        await self._task
