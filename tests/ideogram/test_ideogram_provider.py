"""Ideogram jobs on accounts in real Chromium against the Ideogram stand-in."""

import httpx
import pytest
from PIL import Image as PILImage

from tests.ideogram.helpers import (
    ideogram_account,
    png,
    request,
    sandbox_get,
    sandbox_post,
    sandbox_stats,
    start_service,
)
from tests.support import ended

pytestmark = pytest.mark.browser


async def run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path, jobs, *,
                   outcome="wowz.job.completed", accounts=None, **kw):
    accounts = accounts or [await ideogram_account(sandbox, "ideo-1")]
    service = await start_service(settings, sandbox, clean_db, amqp, accounts, tmp_path, **kw)
    try:
        for job in jobs:
            await publisher.publish(job)
        return [await events.until(ended(job, outcome)) for job in jobs], service.states()
    finally:
        await service.stop()


async def test_a_remix_captions_the_image_and_stores_its_variations_by_response_id(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, images):
    job = request("remix", image_url=f"{images}/fox.png", num_images=3, image_weight=70,
                  style="DESIGN")
    (done,), _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                                [job])
    output = done.data.output
    assert "product design image of 48x32" in output.text  # the stand-in's caption
    assert [i.index for i in output.images] == [0, 1, 2]
    for image in output.images:
        path = image.url.removeprefix("http://files.test/files/")
        assert path == f"product-ideas/{job.data.job_id}/{image.response_id}.png"
        assert (tmp_path / "objects" / path).read_bytes().startswith(b"\x89PNG")
    assert "wowz.job.progress" in events.of(job.data.job_id)
    assert done.data.provider_job_id
    stats = await sandbox_stats(sandbox)
    assert stats["uploads"] == 1 and stats["samples"] == 1 and stats["token_hits"] == 1


async def test_a_remix_with_a_manual_prompt_uses_it_and_asks_for_no_caption(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, images):
    job = request("remix", image_url=f"{images}/fox.png", prompt="a fox as a sticker",
                  prompt_source="MANUAL", num_images=1)
    (done,), _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                                [job])
    assert done.data.output.text == "a fox as a sticker"
    assert len(done.data.output.images) == 1


async def test_a_remix_of_something_that_is_not_an_image_or_too_big_fails_as_bad_input(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, images):
    jobs = [request("remix", image_url=f"{images}/notes.txt"),
            request("remix", image_url=f"{images}/huge.png")]
    failed, _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                               jobs, outcome="wowz.job.failed")
    assert [f.data.error.code for f in failed] == ["bad_input", "bad_input"]
    assert "not an image" in failed[0].data.error.message
    assert "10 MB" in failed[1].data.error.message
    assert (await sandbox_stats(sandbox))["samples"] == 0


async def test_a_prompt_becomes_images_and_a_custom_job_varies_an_uploaded_image(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await ideogram_account(sandbox, "ideo-1")
    async with httpx.AsyncClient(base_url=sandbox.ideogram_token_url) as service:
        token = (await service.get("/token/ideo-1")).json()["access_token"]
    async with httpx.AsyncClient(base_url=sandbox.ideogram_url,
                                 headers={"authorization": f"Bearer {token}"}) as client:
        uploaded = (await client.post("/api/uploads/upload",
                                      files={"file": ("a.png", png(), "image/png")})).json()
    generate = request("generate", prompt="a teapot logo", num_images=2, style="ANIME",
                       resolution={"width": 1024, "height": 512})
    custom = request("custom", image_id=uploaded["id"], prompt="the same, in blue",
                     parent_weight=80, num_images=1)
    done, _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                             [generate, custom], accounts=[account])
    assert done[0].data.output.text == "a teapot logo"
    assert [(i.width, i.height) for i in done[0].data.output.images] == [(256, 128)] * 2
    assert len(done[1].data.output.images) == 1
    kinds = {g["prompt"]: g["kind"] for g in await sandbox_get(sandbox, "/_sandbox/generations")}
    assert kinds == {"a teapot logo": "TXT2IMG", "the same, in blue": "VARIATION"}


async def test_describe_answers_the_caption_of_an_image_url(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, images):
    job = request("describe", image_url=f"{images}/fox.png")
    (done,), _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                                [job])
    assert "product design image of 48x32" in done.data.output.text
    assert done.data.output.images == []


async def test_a_prompt_against_the_content_policy_fails_as_moderated_without_retry(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    job = request("generate", prompt="something sandbox:moderated", num_images=1)
    (failed,), _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher,
                                  tmp_path, [job], outcome="wowz.job.failed")
    assert failed.data.error.code == "moderated" and failed.data.error.retryable is False
    assert "content policy" in failed.data.error.message


async def test_a_429_backs_off_and_the_job_then_completes(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await ideogram_account(sandbox, "ideo-1")
    await sandbox_post(sandbox, "/_sandbox/accounts/ideo-1/failures",
                       {"trigger": "429", "count": 1})
    job = request("generate", prompt="a calm lake", num_images=1)
    (done,), _ = await run_jobs(settings, sandbox, clean_db, amqp, events, publisher, tmp_path,
                                [job], accounts=[account])
    assert done.data.output.images
    starts = [e for e in events.seen if e.type == "wowz.job.started"
              and e.data.job_id == job.data.job_id]
    assert len(starts) == 2  # the second after the rate limit's Retry-After
    assert (starts[1].time - starts[0].time).total_seconds() >= 1


async def test_an_account_out_of_generations_fails_the_job_as_quota_exhausted(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await ideogram_account(sandbox, "ideo-1")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        await sandbox_post(sandbox, "/_sandbox/accounts/ideo-1/quota", {"remaining": 0})
        job = request("generate", prompt="a calm lake", num_images=1)
        await publisher.publish(job)
        failed = await events.until(ended(job, "wowz.job.failed"), timeout=60)
    finally:
        await service.stop()
    assert failed.data.error.code == "quota_exhausted"
    assert (await sandbox_stats(sandbox))["samples"] == 0


async def test_an_account_without_quota_at_start_is_unhealthy_until_the_quota_returns(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await ideogram_account(sandbox, "ideo-1")
    await sandbox_post(sandbox, "/_sandbox/accounts/ideo-1/quota", {"remaining": 0})
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        before = service.states()[0]
        await sandbox_post(sandbox, "/_sandbox/accounts/ideo-1/quota", {"remaining": None})
        healthy = await events.until(lambda e: e.type == "wowz.account.health"
                                     and e.data.healthy, timeout=20)
    finally:
        await service.stop()
    assert before["healthy"] is False and "quota_exhausted" in before["reason"]
    assert healthy.data.account_id == "ideo-1"


async def test_an_image_is_upscaled_by_its_ids_and_cut_out_from_its_url(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, images):
    account = await ideogram_account(sandbox, "ideo-1")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        generate = request("generate", prompt="a teapot", num_images=1)
        await publisher.publish(generate)
        made = await events.until(ended(generate, "wowz.job.completed"))
        upscale = request("upscale", request_id=made.data.provider_job_id,
                          response_id=made.data.output.images[0].response_id)
        cut = request("remove_background", image_url=f"{images}/fox.png")
        for job in (upscale, cut):
            await publisher.publish(job)
        big = await events.until(ended(upscale, "wowz.job.completed"))
        cut_out = await events.until(ended(cut, "wowz.job.completed"))
    finally:
        await service.stop()
    small = made.data.output.images[0]
    [large] = big.data.output.images
    assert (large.width, large.height) == (small.width * 2, small.height * 2)
    [png_cut] = cut_out.data.output.images
    path = png_cut.url.removeprefix("http://files.test/files/")
    assert path == f"product-ideas/{cut.data.job_id}/{png_cut.response_id}.png"
    with PILImage.open(tmp_path / "objects" / path) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0
