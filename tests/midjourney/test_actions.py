"""Every Midjourney action on an account in real Chromium against the stand-in: image prompts,
actions on a finished job, video, describe and blend."""

import httpx
import pytest

from tests.conftest import sandbox_account
from tests.midjourney.helpers import imagine, job, record, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def _finished(publisher, events, pool, requested):
    await publisher.publish(requested)
    done = await events.until(ended(requested, "wowz.job.completed"))
    await record(pool, requested, done)
    return done


async def _image_url(publisher, events, pool) -> str:
    """A PNG a user could link to: an image of a finished job on the stand-in's CDN."""
    done = await _finished(publisher, events, pool, imagine("a seed image"))
    return done.data.output.images[0].provider_url


@pytest.fixture
async def service(settings, sandbox, clean_db, amqp, tmp_path):
    account = await sandbox_account(sandbox, "mj-act", tmp_path)
    running = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    yield running
    await running.stop()


async def test_an_image_prompt_is_uploaded_and_its_short_url_put_before_the_prompt(
        service, sandbox, clean_db, events, publisher):
    source = await _image_url(publisher, events, clean_db)

    done = await _finished(publisher, events, clean_db, job(
        "imagine", {"prompt": "in the style of a sticker", "image_urls": [source]}))

    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        submitted = (await client.get(f"/_sandbox/jobs/{done.data.provider_job_id}")).json()
    assert submitted["prompt"].startswith(f"{sandbox.cdn_url}/u/")
    assert " in the style of a sticker --chaos 5 --ar 4:3" in submitted["prompt"]
    assert len(done.data.output.images) == 4


async def test_upscale_vary_pan_zoom_and_reroll_of_a_finished_job_make_new_images(
        service, sandbox, clean_db, events, publisher):
    parent = imagine("a paper boat, sticker")
    first = await _finished(publisher, events, clean_db, parent)
    on = {"job_id": parent.data.job_id, "index": 2}
    children = {
        "upscale": job("upscale", {**on, "type": "creative"}),
        "vary": job("vary", {**on, "strength": "strong"}),
        "pan": job("pan", {**on, "direction": "up"}),
        "zoom": job("zoom", {**on, "factor": 1.5}),
        "reroll": job("reroll", {"job_id": parent.data.job_id}),
    }
    for child in children.values():
        await publisher.publish(child)
    done = {name: await events.until(ended(child, "wowz.job.completed"))
            for name, child in children.items()}

    async with httpx.AsyncClient(base_url=sandbox.midjourney_url) as client:
        jobs = {j["job_id"]: j for j in (await client.get("/_sandbox/jobs")).json()}
    upscaled = done["upscale"].data.output.images
    assert len(upscaled) == 1 and upscaled[0].width == 2 * first.data.output.images[0].width
    assert [len(done[n].data.output.images) for n in ("vary", "pan", "zoom", "reroll")] == [4] * 4
    assert done["pan"].data.output.images[0].height > first.data.output.images[0].height
    assert jobs[done["reroll"].data.provider_job_id]["prompt"] == jobs[
        first.data.provider_job_id]["prompt"]
    assert len({d.data.provider_job_id for d in done.values()}) == 5


async def test_an_action_on_an_unfinished_or_unknown_job_fails_as_bad_input(
        service, clean_db, events, publisher):
    unknown = job("upscale", {"job_id": "no-such-job", "index": 0})
    await publisher.publish(unknown)

    failed = await events.until(ended(unknown, "wowz.job.failed"))

    assert failed.data.error.code == "bad_input" and failed.data.error.retryable is False
    assert "no Midjourney job" in failed.data.error.message


async def test_a_video_of_a_finished_job_and_of_an_image_url_come_back_as_stored_mp4s(
        service, sandbox, clean_db, events, publisher, tmp_path):
    parent = imagine("a lighthouse")
    await _finished(publisher, events, clean_db, parent)
    of_job = job("video", {"job_id": parent.data.job_id, "index": 1, "motion": "high"})
    of_url = job("video", {"image_url": await _image_url(publisher, events, clean_db),
                           "prompt": "waves"})
    await publisher.publish(of_job)
    await publisher.publish(of_url)

    done = [await events.until(lambda e, j=j: e.type in ("wowz.job.completed", "wowz.job.failed")
                               and e.data.job_id == j.data.job_id) for j in (of_job, of_url)]
    assert [d.type for d in done] == ["wowz.job.completed"] * 2, [d.data for d in done]

    for event in done:
        videos = event.data.output.videos
        assert len(videos) == 4
        data = (tmp_path / "objects" / videos[0].removeprefix("http://files.test/files/")
                ).read_bytes()
        assert data[4:8] == b"ftyp"


async def test_describe_answers_the_four_prompts_as_text(
        service, sandbox, clean_db, events, publisher):
    described = job("describe", {"image_url": await _image_url(publisher, events, clean_db)})
    await publisher.publish(described)

    done = await events.until(ended(described, "wowz.job.completed"))

    assert len(done.data.output.text.splitlines()) == 4
    assert done.data.output.images == []


async def test_a_blend_of_two_images_is_an_image_only_prompt_with_the_dimensions(
        service, sandbox, clean_db, events, publisher):
    source = await _image_url(publisher, events, clean_db)
    blend = job("blend", {"image_urls": [source, source], "dimensions": "portrait"})
    await publisher.publish(blend)

    done = await events.until(ended(blend, "wowz.job.completed"))

    images = done.data.output.images
    assert len(images) == 4 and images[0].height > images[0].width


async def test_an_image_url_that_is_not_an_image_fails_as_bad_input(
        service, sandbox, clean_db, events, publisher):
    not_image = job("describe", {"image_url": f"{sandbox.midjourney_url}/imagine"})
    await publisher.publish(not_image)

    failed = await events.until(ended(not_image, "wowz.job.failed"))

    assert failed.data.error.code == "bad_input" and "not an image" in failed.data.error.message
