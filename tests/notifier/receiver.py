"""A real HTTP receiver on 127.0.0.1, in a thread: records every request as it came and
answers as a test tells it (status, headers, a delay)."""

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str  # as sent on the request line: path and query, unparsed
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Answer:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0


class Receiver:
    """Answers the scripted answers in order, then `default`."""

    def __init__(self):
        self.requests: list[Received] = []
        self.script: deque[Answer] = deque()
        self.default = Answer()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                    time.monotonic()))
                answer = receiver.script.popleft() if receiver.script else receiver.default
                time.sleep(answer.delay_s)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    async def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"got {len(self.requests)} of {count} requests"
            await asyncio.sleep(0.02)
        return self.requests
