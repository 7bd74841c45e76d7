"""Nobody makes the platform call inside its network: a webhook or an image URL aimed at
loopback, a private network, link-local cloud metadata or a name that resolves to one of them
is refused at submit time (422 naming the field), and at fetch time (bad_input naming the
field), where a redirect to such an address is refused too."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from consumers.providers.fetch import fetch_image
from schemas.errors import BadInput
from schemas.urls import blocked_reason
from tests.abuse.conftest import bearer
from tests.e2e.receiver import Receiver
from tests.providers.test_fetch import png

pytestmark = pytest.mark.connected

# (target, the reason the refusal gives)
TARGETS = [
    ("http://127.0.0.1:8080/fox.png", "loopback"),
    ("http://[::1]/fox.png", "loopback"),
    ("http://10.0.0.1/fox.png", "private address"),
    ("http://169.254.169.254/latest/meta-data/fox.png", "cloud metadata"),
    ("http://localhost/fox.png", "loopback"),  # a name that resolves to 127.0.0.1
]


def job(provider: str, action: str, job_input: dict) -> dict:
    return {"provider": provider, "action": action, "input": job_input}


# (the field the refusal names, the body that puts the target in it)
FIELDS = [
    ("webhook.url", lambda url: {**job("midjourney", "imagine", {"prompt": "a fox"}),
                                 "webhook": {"url": url}}),
    ("input.image_urls.0", lambda url: job("midjourney", "imagine",
                                           {"prompt": "a fox", "image_urls": [url]})),
    ("input.image_url", lambda url: job("midjourney", "describe", {"image_url": url})),
    ("input.image_url", lambda url: job("ideogram", "remix", {"image_url": url})),
    ("input.image_url", lambda url: job("chatgpt", "remix_design", {"image_url": url})),
]


async def test_internal_urls_are_refused_at_submit_naming_the_field(threaded_ingress, keys,
                                                                    bus_tap, pool):
    jobs_before = await pool.fetchval("select count(*) from jobs")
    cases = [(field, target, reason, body(target))
             for field, body in FIELDS for target, reason in TARGETS]
    async with httpx.AsyncClient(base_url=threaded_ingress.url, timeout=10,
                                 headers=bearer(keys.full)) as client:
        answers = await asyncio.gather(*(client.post("/v1/jobs", json=body)
                                         for *_, body in cases))
        seed = await client.post("/api/remix", json={"imageUrl": "http://169.254.169.254/a"})

    for (field, target, reason, _), answer in zip(cases, answers, strict=True):
        assert answer.status_code == 422, f"{field} = {target}: {answer.text}"
        [problem] = answer.json()["error"]["details"]
        assert problem["field"] == field and reason in problem["problem"], problem
    assert seed.status_code == 400 and seed.json()["success"] is False  # the seed's shape
    message = seed.json()["error"]
    assert message.startswith("imageUrl: ") and "cloud metadata" in message
    assert await bus_tap.get(fail=False) is None, "a refused job was published"
    assert await pool.fetchval("select count(*) from jobs") == jobs_before


class Redirector(Receiver):
    """Serves a PNG, and redirects to the cloud metadata address and to a private one."""

    def app(self):
        return Starlette(routes=[
            Route("/fox.png", lambda r: Response(png(), media_type="image/png")),
            Route("/to-metadata", lambda r: RedirectResponse(
                "http://169.254.169.254/latest/meta-data/iam", status_code=302)),
            Route("/to-private", lambda r: RedirectResponse("http://10.0.0.1/fox.png"))])


@pytest.fixture
async def redirector():
    server = await Redirector().start()
    yield server
    await server.stop()


def but_for(server):
    """The policy, except for the test's own server on loopback: what it is asked to judge
    after that (the redirect's target) is judged as in production."""
    own = httpx.URL(server.url).host
    return lambda ip: None if ip == own else blocked_reason(ip)


@pytest.mark.parametrize(("target", "reason"), TARGETS)
async def test_internal_urls_are_bad_input_at_fetch_naming_the_field(target, reason):
    with pytest.raises(BadInput) as refused:
        await fetch_image(target, allow_private=False, field="input.image_url")
    assert refused.value.message.startswith("input.image_url") and reason in refused.value.message


@pytest.mark.parametrize(("path", "reason"), [("/to-metadata", "cloud metadata"),
                                              ("/to-private", "private address")])
async def test_a_redirect_to_an_internal_address_is_bad_input(redirector, path, reason):
    allowed = await fetch_image(f"{redirector.url}/fox.png", allow_private=False,
                                blocked=but_for(redirector))
    assert allowed.content_type == "image/png"  # the server itself is let through

    with pytest.raises(BadInput) as refused:
        await fetch_image(f"{redirector.url}{path}", allow_private=False,
                          field="input.image_urls.0", blocked=but_for(redirector))
    message = refused.value.message
    assert message.startswith("input.image_urls.0") and reason in message
