"""An image uploaded once to Ideogram (the seed's /api/upload) is captioned and varied by its
upload id, without uploading it again, in real Chromium against the Ideogram stand-in."""

import pytest

from tests.ideogram.helpers import ideogram_account, request, sandbox_stats, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_an_upload_gives_the_id_that_describe_and_custom_then_use(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path, images):
    account = await ideogram_account(sandbox, "ideo-1")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        upload = request("upload", image_url=f"{images}/fox.png")
        await publisher.publish(upload)
        uploaded = await events.until(ended(upload, "wowz.job.completed"))
        upload_id = uploaded.data.output.text
        describe = request("describe", image_id=upload_id)
        custom = request("custom", image_id=upload_id, prompt="the fox, in blue",
                         num_images=1)
        for job in (describe, custom):
            await publisher.publish(job)
        caption = await events.until(ended(describe, "wowz.job.completed"))
        varied = await events.until(ended(custom, "wowz.job.completed"))
    finally:
        await service.stop()
    assert upload_id and uploaded.data.output.images == []
    assert "product design image of 48x32" in caption.data.output.text
    assert len(varied.data.output.images) == 1
    assert (await sandbox_stats(sandbox))["uploads"] == 1  # the id was used, not re-uploaded
