"""What the Python client puts on the wire when it submits, seen by a plain HTTP server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from producers.client import Client

pytestmark = pytest.mark.unit


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.seen.append({"headers": dict(self.headers), "body": body})
        answer = json.dumps({"id": "job-1", "status": "pending"}).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_a_job_on_the_clients_own_ideogram_token_sends_it_in_headers_not_the_body(server):
    client = Client(server, "wowz_key")
    job = client.submit("ideogram", "generate", {"prompt": "a fox"}, idempotency_key="k-1",
                        provider_token="ideo-secret", provider_user_id="user-7")
    plain = client.submit("ideogram", "generate", {"prompt": "a cat"})
    client.close()
    mine, theirs = Recorder.seen
    assert job["id"] == "job-1" and plain["id"] == "job-1"
    assert (mine["headers"]["X-Provider-Token"], mine["headers"]["X-Provider-User-Id"],
            mine["headers"]["Idempotency-Key"]) == ("ideo-secret", "user-7", "k-1")
    assert mine["headers"]["Authorization"] == "Bearer wowz_key"
    assert "ideo-secret" not in json.dumps(mine["body"])
    assert not {"X-Provider-Token", "Idempotency-Key"} & set(theirs["headers"])
