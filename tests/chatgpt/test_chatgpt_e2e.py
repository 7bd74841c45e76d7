"""The whole platform with ChatGPT accounts: a remix posted over HTTP with an image comes back
signed to the webhook with the answer, the proposed prompt and the stored images."""

import socket

import httpx
import pytest
import standardwebhooks

from store import keys
from tests.chatgpt.helpers import GPT_PATH, logged_in_account
from tests.e2e.receiver import Receiver

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def receiver():
    receiver = await Receiver().start()
    yield receiver
    await receiver.stop()


@pytest.fixture
async def platform(settings, sandbox, control, clean_db, clean_bus, tmp_path):
    from wowz.platform import SERVICES, Platform

    s = settings.model_copy(deep=True)
    s.browser.profiles_dir = tmp_path / "profiles"
    accounts = [await logged_in_account(s, sandbox, f"gpt-e2e-{n}", tmp_path) for n in (1, 2)]
    s.providers.chatgpt_url = sandbox.chatgpt_url + GPT_PATH
    s.http.port = free_port()
    s.http.public_url = f"http://127.0.0.1:{s.http.port}"
    running = Platform(s, list(SERVICES), accounts)
    await running.start()
    yield running
    await running.stop()


async def test_a_remix_with_an_image_posted_over_http_comes_back_signed_with_stored_images(
        platform, images, receiver, clean_db):
    key = await keys.create_key(clean_db, name="e2e")
    base = platform.settings.http.public_url
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as client:
        response = await client.post("/v1/jobs", json={
            "provider": "chatgpt", "action": "remix_design",
            "input": {"prompt": "a sunflower tote bag", "image_url": f"{images.url}/design.png"},
            "webhook": {"url": f"{receiver.url}/hook"}})
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        [delivery] = await receiver.wait_for(1, timeout=60)
        payload = standardwebhooks.Webhook(key.key.webhook_secret).verify(
            delivery["body"], delivery["headers"])
        job = (await client.get(f"/v1/jobs/{job_id}")).json()
        downloads = [await client.get(image["url"]) for image in job["output"]["images"]]
    assert payload["type"] == "wowz.job.completed" and payload["data"]["job_id"] == job_id
    assert job["status"] == "completed" and job["account_id"].startswith("gpt-e2e-")
    output = job["output"]
    assert output["prompt"] == ("Remixed product design: a sunflower tote bag, "
                                "keeping the uploaded layout")
    assert output["conversation_id"] and "```" in output["text"]
    assert len(downloads) == 1
    assert downloads[0].status_code == 200 and downloads[0].content.startswith(b"\x89PNG")
