"""Runs the stand-ins' origins with uvicorn inside the caller's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import uvicorn
from fastapi import FastAPI

from sandbox.chatgpt import ChatGPTStandIn, create_chatgpt
from sandbox.chatgpt.state import ChatGPTConfig
from sandbox.ideogram import IdeogramStandIn, create_ideogram
from sandbox.ideogram.state import IdeogramConfig
from sandbox.midjourney import MidjourneyStandIn, create_midjourney
from sandbox.midjourney.state import MidjourneyConfig, MidjourneyState


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to its host: several share one process."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


@dataclass
class Origin:
    """One listening origin (scheme + host + port) serving one app."""

    name: str
    url: str
    server: _Server
    task: asyncio.Task[None]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when it is.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url_host(host: str) -> str:
    """The host to put in URLs: a wildcard bind is reached through loopback."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


@dataclass
class Sandbox:
    """The running stand-ins; `origins` by name ("midjourney", "midjourney_cdn", ...)."""

    host: str
    midjourney: MidjourneyStandIn
    origins: dict[str, Origin] = field(default_factory=dict)
    chatgpt: ChatGPTStandIn | None = None
    ideogram: IdeogramStandIn | None = None

    @property
    def midjourney_url(self) -> str:
        return self.origins["midjourney"].url

    @property
    def cdn_url(self) -> str:
        return self.origins["midjourney_cdn"].url

    @property
    def chatgpt_url(self) -> str:
        return self.origins["chatgpt"].url

    @property
    def ideogram_url(self) -> str:
        return self.origins["ideogram"].url

    @property
    def ideogram_token_url(self) -> str:
        return self.origins["ideogram_token"].url

    @property
    def state(self) -> MidjourneyState:
        return self.midjourney.state

    async def serve(self, name: str, app: FastAPI, port: int) -> str:
        sock = _bind(self.host, port)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = _Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"sandbox-{name}")
        url = f"http://{_url_host(self.host)}:{sock.getsockname()[1]}"
        self.origins[name] = Origin(name=name, url=url, server=server, task=task)
        while not server.started:
            if task.done():
                await task
                raise RuntimeError(f"sandbox origin {name} stopped while starting")
            await asyncio.sleep(0.005)
        return url

    async def stop(self) -> None:
        for origin in self.origins.values():
            origin.server.should_exit = True
        await asyncio.gather(*(origin.task for origin in self.origins.values()))
        self.origins.clear()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


async def start_sandbox(
    host: str = "127.0.0.1", midjourney_port: int = 0, cdn_port: int = 0, *,
    chatgpt_port: int = 0, chatgpt: ChatGPTConfig | None = None,
    ideogram_port: int = 0, ideogram_token_port: int = 0, ideogram: IdeogramConfig | None = None,
    **config: Any
) -> Sandbox:
    """Start every stand-in on `host`; port 0 picks a free port. `config` goes to
    MidjourneyConfig (generation_s, image_size)."""
    midjourney = create_midjourney(MidjourneyConfig(**config))
    sandbox = Sandbox(host=host, midjourney=midjourney, chatgpt=create_chatgpt(chatgpt),
                      ideogram=create_ideogram(ideogram))
    try:
        await sandbox.serve("ideogram", sandbox.ideogram.web, ideogram_port)
        await sandbox.serve("ideogram_token", sandbox.ideogram.tokens, ideogram_token_port)
        await sandbox.serve("chatgpt", sandbox.chatgpt.web, chatgpt_port)
        midjourney.state.cdn_url = await sandbox.serve("midjourney_cdn", midjourney.cdn, cdn_port)
        await sandbox.serve("midjourney", midjourney.web, midjourney_port)
    except BaseException:
        await sandbox.stop()
        raise
    midjourney.state.cookie_domain = _url_host(host).strip("[]")
    return sandbox
