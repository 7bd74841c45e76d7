"""An imagine job runs pending -> running -> completed and its four PNGs come from the CDN."""

from __future__ import annotations

import asyncio
import io
import time

import pytest
from PIL import Image

pytestmark = pytest.mark.unit


async def test_imagine_job_runs_to_completed_with_rising_percentage(sign_in, control):
    await control.post("/_sandbox/config", json={"generation_s": 1.0})
    session = await sign_in("mj-1")

    submitted = await session.submit("a lighthouse at dusk --ar 16:9 --v 7")
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["failure"] == []
    (job,) = body["success"]
    assert job["prompt"] == "a lighthouse at dusk --ar 16:9 --v 7"
    assert job["is_queued"] is False
    assert job["event_type"] == "diffusion"
    assert job["meta"] == {"width": 128, "height": 72, "batch_size": 4}

    seen = []
    async with asyncio.timeout(3):
        while not seen or seen[-1][0] != "completed":
            (status,) = await session.status(job["job_id"])
            seen.append((status["current_status"], status["percentage_complete"]))
            await asyncio.sleep(0.05)

    statuses = [name for name, _ in seen]
    assert statuses[0] == "pending"
    assert "running" in statuses
    assert statuses.index("running") > statuses.index("pending")
    percentages = [percentage for _, percentage in seen]
    assert percentages == sorted(percentages)
    assert seen[-1] == ("completed", 100)
    assert len({p for name, p in seen if name == "running"}) > 2


async def test_job_status_has_the_web_apps_fields(sign_in):
    session = await sign_in("mj-1")
    job_id = await session.imagine("a cat")

    (status,) = await session.status(job_id)

    assert status["id"] == job_id
    assert status["width"] == status["height"] == 128
    assert status["batch_size"] == 4
    assert status["event_type"] == "diffusion"
    assert status["prompt"] == "a cat"
    assert status["parent_id"] is None
    assert isinstance(status["enqueue_time"], str)


async def test_four_pngs_download_from_the_cdn_only_once_completed(sign_in, cdn, control):
    session = await sign_in("mj-1")
    job_id = await session.imagine("portrait of a fox --ar 2:3")

    assert (await cdn.get(f"/{job_id}/0_0.png")).status_code == 404
    await session.wait_until_done(job_id)

    images = []
    for index in range(4):
        response = await cdn.get(f"/{job_id}/0_{index}.png")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG"
        assert image.size == (85, 128)
        images.append(image.getpixel((1, 1)))
    assert len(set(images)) == 4, "each grid image has its own colour"
    assert (await cdn.get(f"/{job_id}/0_4.png")).status_code == 404
    assert (await cdn.get("/no-such-job/0_0.png")).status_code == 404

    (job,) = (await control.get("/_sandbox/jobs")).json()
    assert job["status"] == "completed"
    assert job["done_at"] == pytest.approx(job["created_at"] + 0.3)
    assert job["done_at"] <= time.time()


async def test_an_account_sees_only_its_own_jobs_and_unknown_ids_are_omitted(sign_in):
    alice, bob = await sign_in("mj-1"), await sign_in("mj-2")
    alices_job = await alice.imagine("a red balloon")

    assert [job["id"] for job in await alice.status(alices_job, "unknown")] == [alices_job]
    assert await bob.status(alices_job) == []


async def test_an_uploaded_image_prompt_is_served_back_by_the_cdn(sign_in, cdn, sandbox):
    session = await sign_in("mj-1")
    png = bytes(range(256)) * 8 + b"\r\n--\r\n\r\n"

    response = await session.http.post(
        "/api/storage-upload-file", files={"file": ("ref.png", png, "image/png")}
    )

    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith(f"{sandbox.cdn_url}/u/")
    served = await cdn.get(url)
    assert served.status_code == 200
    assert served.content == png
