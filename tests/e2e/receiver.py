"""A webhook receiver on 127.0.0.1 that records what it is sent (plays the client / n8n)."""

import asyncio
import contextlib
import socket
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class _Server(uvicorn.Server):
    def capture_signals(self):
        return contextlib.nullcontext()


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.arrived = asyncio.Condition()
        self.url = ""
        self._server = None
        self._task = None

    async def _hook(self, request: Request):
        body = await request.body()
        async with self.arrived:
            self.requests.append({"path": request.url.path, "query": request.url.query,
                                  "headers": dict(request.headers), "body": body, "wall": time.time(),
                                  "at": asyncio.get_running_loop().time()})
            self.arrived.notify_all()
        return JSONResponse({"ok": True})

    async def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.requests) >= count),
                                   timeout)
        return self.requests

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._hook, methods=["POST"])])

    async def start(self) -> "Receiver":
        app = self.app()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        await self._task
