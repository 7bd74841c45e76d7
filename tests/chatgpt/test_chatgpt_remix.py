"""ChatGPT jobs on logged-in profiles in real Chromium against the ChatGPT stand-in."""

import pytest

from tests.chatgpt.helpers import job, logged_in_account, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_a_remix_of_an_image_comes_back_with_text_prompt_conversation_and_stored_images(
        settings, sandbox, control, images, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    await control.post("/_sandbox/config", json={"images_per_answer": 2})
    try:
        remix = job("remix_design", prompt="a pink owl mug", image_url=f"{images.url}/design.png")
        await publisher.publish(remix)
        done = await events.until(ended(remix, "wowz.job.completed"))
    finally:
        await service.stop()
    output = done.data.output
    assert events.of(remix.data.job_id)[:2] == ["wowz.job.requested", "wowz.job.started"]
    assert output.prompt == "Remixed product design: a pink owl mug, keeping the uploaded layout"
    assert "```" in output.text and output.conversation_id
    assert done.data.provider_job_id == output.conversation_id
    assert [i.index for i in output.images] == [0, 1]
    for image in output.images:
        path = image.url.removeprefix("http://files.test/files/")
        assert path.startswith(f"chatgpt-images/{remix.data.job_id}/file-")
        data = (tmp_path / "objects" / path).read_bytes()
        assert data.startswith(b"\x89PNG") and (image.width, image.height) == (96, 96)
    # the uploaded 48x32 design is not among the generated images
    assert all(i.provider_url.startswith("file-service://") for i in output.images)
    stats = (await control.get("/_sandbox/stats")).json()
    assert stats["uploads"] == 1 and stats["messages"] == 1
    assert stats["image_downloads"] >= 2  # ours, through the session (the page shows them too)
    tree = sandbox.chatgpt.state.conversations[output.conversation_id]
    assert tree.gizmo_id and tree.gizmo_id.startswith("g-682b4c8d")


async def test_a_remix_from_a_prompt_alone_on_another_gpt(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        remix = job("remix_design", prompt="retro robot tee",
                    gpt_url=f"{sandbox.chatgpt_url}/g/g-other-gpt")
        await publisher.publish(remix)
        done = await events.until(ended(remix, "wowz.job.completed"))
    finally:
        await service.stop()
    assert done.data.output.prompt == "Remixed product design: retro robot tee"
    assert len(done.data.output.images) == 1
    chat = sandbox.chatgpt.state.conversations[done.data.output.conversation_id]
    assert chat.gizmo_id == "g-other-gpt"


@pytest.mark.parametrize("path, message", [
    ("/notes.txt", "image_url is not an image"),
    ("/huge.png", "image_url: the image is over 20 MB")])
async def test_an_image_url_that_is_not_a_usable_image_fails_as_bad_input(
        settings, sandbox, control, images, clean_db, amqp, events, publisher, tmp_path,
        path, message):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        remix = job("remix_design", image_url=images.url + path)
        await publisher.publish(remix)
        failed = await events.until(ended(remix, "wowz.job.failed"))
    finally:
        await service.stop()
    assert failed.data.error.code == "bad_input" and failed.data.error.message == message
    assert (await control.get("/_sandbox/stats")).json()["messages"] == 0


async def test_recent_images_come_back_stored_page_by_page_newest_first(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    await control.post("/_sandbox/config", json={"answer_s": 0.2})
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        made = []
        for prompt in ("older mug", "newer mug"):
            remix = job("remix_design", prompt=prompt)
            await publisher.publish(remix)
            made.append(await events.until(ended(remix, "wowz.job.completed")))
        first = job("recent_images", limit=1)
        await publisher.publish(first)
        one = (await events.until(ended(first, "wowz.job.completed"))).data.output
        second = job("recent_images", limit=1, cursor=one.cursor)
        await publisher.publish(second)
        two = (await events.until(ended(second, "wowz.job.completed"))).data.output
    finally:
        await service.stop()
    newest, oldest = made[1].data.output.images[0], made[0].data.output.images[0]
    assert [i.sha256 for i in one.images] == [newest.sha256] and one.cursor
    assert [i.sha256 for i in two.images] == [oldest.sha256] and two.cursor is None
    path = one.images[0].url.removeprefix("http://files.test/files/")
    assert path.startswith(f"chatgpt-images/{first.data.job_id}/")
    assert (tmp_path / "objects" / path).read_bytes().startswith(b"\x89PNG")


async def test_an_answer_streamed_in_a_format_we_do_not_read_is_taken_from_the_page(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        remix = job("remix_design", prompt="a kite sandbox:delta")
        await publisher.publish(remix)
        done = await events.until(ended(remix, "wowz.job.completed"))
    finally:
        await service.stop()
    output = done.data.output
    assert output.prompt == "Remixed product design: a kite sandbox:delta"
    assert output.conversation_id in sandbox.chatgpt.state.conversations
    [image] = output.images
    assert image.provider_url.startswith(sandbox.chatgpt_url + "/backend-api/estuary/content")
    path = image.url.removeprefix("http://files.test/files/")
    assert (tmp_path / "objects" / path).read_bytes().startswith(b"\x89PNG")
