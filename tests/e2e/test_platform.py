"""The whole platform: HTTP in, RabbitMQ, a Midjourney browser session, Postgres, a signed
webhook back."""

import asyncio
import json
import uuid

import httpx
import pytest
import standardwebhooks

from store import keys

pytestmark = pytest.mark.e2e


async def test_an_imagine_job_posted_over_http_comes_back_signed_with_four_stored_images(
        platform, receiver, clean_db):
    key = await keys.create_key(clean_db, name="e2e")
    design_id = str(uuid.uuid4())
    base = platform.settings.http.public_url
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as client:
        response = await client.post("/v1/jobs", json={
            "provider": "midjourney", "action": "imagine",
            "input": {"prompt": "a teapot astronaut, sticker", "options": {"ar": "1:1"}},
            "webhook": {"url": f"{receiver.url}/n8n/resume?signature=abc.def"},
            "metadata": {"design_id": design_id, "user_id": "u-1"}})
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]

        [delivery] = await receiver.wait_for(1, timeout=60)
        assert delivery["path"] == "/n8n/resume" and delivery["query"] == "signature=abc.def"
        payload = standardwebhooks.Webhook(key.key.webhook_secret).verify(
            delivery["body"], delivery["headers"])
        assert payload["type"] == "wowz.job.completed"
        assert payload["data"]["job_id"] == job_id
        assert payload["data"]["status"] == "completed"

        job = (await client.get(f"/v1/jobs/{job_id}")).json()
        assert job["status"] == "completed" and job["progress"] == 100
        images = job["output"]["images"]
        assert len(images) == 4
        for image in images:
            download = await client.get(image["url"])
            assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
        row = await clean_db.fetchrow(
            "select job_id, job_status, generated_designs_url from product_design "
            "where id::text = $1", design_id)
    assert row["job_id"] == job_id and row["job_status"] == "completed"
    urls = row["generated_designs_url"]
    urls = json.loads(urls) if isinstance(urls, str) else urls
    assert urls == [i["url"] for i in images]
    # the terminal event only, once
    assert len(receiver.requests) == 1


async def test_a_delivered_webhook_is_in_the_log_and_can_be_replayed(platform, receiver, clean_db):
    key = await keys.create_key(clean_db, name="e2e")
    stranger = await keys.create_key(clean_db, name="someone else")
    base = platform.settings.http.public_url
    auth = {"Authorization": f"Bearer {key.api_key}"}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=auth) as client:
        job_id = (await client.post("/v1/jobs", json={
            "provider": "midjourney", "action": "imagine", "input": {"prompt": "replay me"},
            "webhook": {"url": f"{receiver.url}/hook"}})).json()["id"]
        [first] = await receiver.wait_for(1, timeout=60)
        for _ in range(100):  # the notifier records the attempt once the receiver has answered
            log = (await client.get(f"/v1/jobs/{job_id}/deliveries")).json()["data"]
            if log:
                break
            await asyncio.sleep(0.05)
        assert [(d["attempt"], d["status_code"]) for d in log] == [(1, 200)]
        assert log[0]["delivered_at"] and log[0]["event_type"] == "wowz.job.completed"

        refused = await client.post(f"/v1/deliveries/{log[0]['id']}/replay",
                                    headers={"Authorization": f"Bearer {stranger.api_key}"})
        assert refused.status_code == 404
        replayed = await client.post(f"/v1/deliveries/{log[0]['id']}/replay")
        assert replayed.status_code == 202
        [_, second] = await receiver.wait_for(2, timeout=30)
    assert second["headers"]["webhook-id"] == first["headers"]["webhook-id"]
    assert second["body"] == first["body"]
