"""Midjourney actions through the whole platform: POST /v1/jobs, RabbitMQ, a browser session
per account against the stand-in, Postgres, GET /v1/jobs/{id}."""

import asyncio

import httpx
import pytest

from store import accounts as account_rows
from store import keys
from tests.conftest import sandbox_account
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
async def mj_platform(settings, sandbox, clean_db, clean_bus, tmp_path):
    """As the `platform` fixture, with image URLs on the (private) test addresses allowed."""
    from wowz.platform import SERVICES, Platform

    await clean_db.execute("truncate accounts")
    accounts = [await sandbox_account(sandbox, f"mj-e2e-{n}", tmp_path) for n in (1, 2)]
    s = settings.model_copy(deep=True)
    s.providers.midjourney_url = sandbox.midjourney_url
    s.providers.midjourney_cdn_url = sandbox.cdn_url
    s.providers.poll_interval_s, s.providers.poll_interval_fast_s = 0.5, 0.2
    s.browser.profiles_dir = tmp_path / "profiles"
    s.http.port = free_port()
    s.http.public_url = f"http://127.0.0.1:{s.http.port}"
    running = Platform(s, list(SERVICES), accounts)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def client(mj_platform, clean_db):
    key = await keys.create_key(clean_db, name="e2e-mj")
    async with httpx.AsyncClient(base_url=mj_platform.settings.http.public_url, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as http:
        yield http


async def _run(client, action: str, input: dict, timeout: float = 60) -> dict:
    response = await client.post("/v1/jobs", json={"provider": "midjourney", "action": action,
                                                   "input": input})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    async with asyncio.timeout(timeout):
        while True:
            job = (await client.get(f"/v1/jobs/{job_id}")).json()
            if job["status"] in ("completed", "failed", "timeout", "cancelled"):
                return job
            await asyncio.sleep(0.2)


async def test_image_prompt_upscale_video_describe_and_blend_through_v1_jobs(client):
    first = await _run(client, "imagine", {"prompt": "a kite, sticker"})
    image_url = first["output"]["images"][0]["provider_url"]

    with_image = await _run(client, "imagine", {"prompt": "the same kite, watercolor",
                                                "image_urls": [image_url]})
    upscaled = await _run(client, "upscale", {"job_id": first["id"], "index": 3})
    video = await _run(client, "video", {"job_id": first["id"], "index": 0, "motion": "low"})
    described = await _run(client, "describe", {"image_url": image_url})
    blended = await _run(client, "blend", {"image_urls": [image_url, image_url],
                                           "dimensions": "landscape"})

    jobs = [first, with_image, upscaled, video, described, blended]
    assert [j["status"] for j in jobs] == ["completed"] * 6, [j["error"] for j in jobs]
    assert len(with_image["output"]["images"]) == 4
    assert upscaled["account_id"] == first["account_id"]
    assert len(upscaled["output"]["images"]) == 1
    assert len(video["output"]["videos"]) == 4
    download = await client.get(video["output"]["videos"][0])
    assert download.status_code == 200 and download.content[4:8] == b"ftyp"
    assert len(described["output"]["text"].splitlines()) == 4
    images = blended["output"]["images"]
    assert images[0]["width"] > images[0]["height"]


async def test_an_account_whose_cookies_expire_mid_run_hands_its_jobs_to_the_other(
        client, sandbox, clean_db):
    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as control:
        await control.post("/_sandbox/config", json={"generation_s": 3.0})
        runs = [asyncio.create_task(_run(client, "imagine", {"prompt": f"cat {n}"}))
                for n in range(8)]
        async with asyncio.timeout(30):  # until the first account is generating
            while not (in_flight := await clean_db.fetch(
                    "select id from jobs where account_id = 'mj-e2e-1' "
                    "and status = 'processing' and provider_job_id is not null")):
                await asyncio.sleep(0.05)
        await control.post("/_sandbox/accounts/mj-e2e-1/expire")

    jobs = {j["id"]: j for j in await asyncio.gather(*runs)}

    assert {j["status"] for j in jobs.values()} == {"completed"}
    # who finished each job that was generating on the first account when it expired
    finished_by = {r["job_id"]: r["account_id"] for r in await clean_db.fetch(
        "select job_id, data->>'account_id' as account_id from job_events "
        "where type = 'wowz.job.completed' and job_id = any($1::text[])",
        [r["id"] for r in in_flight])}
    assert set(finished_by.values()) == {"mj-e2e-2"} and len(finished_by) == len(in_flight)
    rows = {r["id"]: r for r in await account_rows.list_accounts(clean_db)}
    assert rows["mj-e2e-2"]["healthy"] is True
    assert rows["mj-e2e-1"]["healthy"] is False
    assert "auth_expired" in rows["mj-e2e-1"]["reason"]
