"""A small client for other Python systems: submit a job and wait for it over HTTP, publish a
request straight on the bus, and verify the webhooks wowz sends.

    client = Client("https://wowz.example.com", api_key)
    job = client.submit("midjourney", "imagine", {"prompt": "a fox"}, webhook="https://...")
    job = client.wait(job["id"])
"""

import time
import uuid
from typing import Any

import aio_pika
import httpx
import standardwebhooks

from bus.codec import to_message
from schemas.events import Event, JobRequested
from schemas.jobs import TERMINAL, parse_request


class WowzError(Exception):
    def __init__(self, status: int, error: dict[str, Any]):
        super().__init__(f"{status} {error.get('code')}: {error.get('message')}")
        self.status = status
        self.error = error


class Client:
    def __init__(self, base_url: str, api_key: str, *, timeout_s: float = 30.0):
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s,
                                 headers={"Authorization": f"Bearer {api_key}"})

    def submit(self, provider: str, action: str, job_input: dict[str, Any], *,
               webhook: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None, provider_token: str | None = None,
               provider_user_id: str | None = None) -> dict[str, Any]:
        """`provider_token` (Ideogram): the client's own bearer token, used for this job alone
        and never stored; `provider_user_id`: its Ideogram user, when not the account's."""
        body: dict[str, Any] = {"provider": provider, "action": action, "input": job_input,
                                "metadata": metadata or {}}
        if webhook:
            body["webhook"] = {"url": webhook}
        headers = {name: value for name, value in (
            ("Idempotency-Key", idempotency_key), ("X-Provider-Token", provider_token),
            ("X-Provider-User-Id", provider_user_id)) if value}
        return self._check(self.http.post("/v1/jobs", json=body, headers=headers))

    def get(self, job_id: str) -> dict[str, Any]:
        return self._check(self.http.get(f"/v1/jobs/{job_id}"))

    def wait(self, job_id: str, *, timeout_s: float = 900.0, poll_s: float = 1.0) -> dict:
        """The job once it ended (prefer a webhook; this polls gently)."""
        deadline = time.monotonic() + timeout_s
        while True:
            job = self.get(job_id)
            if job["status"] in TERMINAL or time.monotonic() > deadline:
                return job
            time.sleep(poll_s)

    @staticmethod
    def _check(response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise WowzError(response.status_code, response.json().get("error", {}))
        return response.json()

    def close(self) -> None:
        self.http.close()


async def publish(amqp_url: str, provider: str, action: str, job_input: dict[str, Any], *,
                  metadata: dict[str, Any] | None = None, job_id: str | None = None,
                  source: str = "python-client") -> str:
    """Put a `wowz.job.requested` on the bus (persistent, confirmed); returns the job id. The
    input is checked here first, so a bad one fails at the caller, not on the bus."""
    request = parse_request({"provider": provider, "action": action, "input": job_input,
                             "metadata": metadata or {}})
    job_id = job_id or str(uuid.uuid4())
    event = Event.of(JobRequested(job_id=job_id, provider=provider, seq=0, action=action,
                                  input=request.input, metadata=request.metadata),
                     source=source)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("wowz.events", ensure=False)
        await exchange.publish(to_message(event), routing_key=event.data.routing_key())
    return job_id


def verify_webhook(secret: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """The webhook's JSON if its Standard Webhooks signature is right; raises otherwise."""
    return standardwebhooks.Webhook(secret).verify(body, headers)
