"""The seed's synchronous routes end to end: the ingress, the Ideogram service in real
Chromium and the Ideogram stand-in; the answer comes when the job is done."""

import pytest

from tests.http.conftest import auth
from tests.ideogram.helpers import ideogram_account, image_app, start_service

pytestmark = pytest.mark.browser


async def test_an_app_uploads_an_image_then_gets_its_caption_as_with_the_seed(
        settings, sandbox, api, key, clean_db, amqp, tmp_path):
    images = await sandbox.serve("user_images", image_app(), 0)
    account = await ideogram_account(sandbox, "ideo-1")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        uploaded = await api.client.post("/api/upload", json={"imageUrl": f"{images}/fox.png"},
                                          headers=auth(key), timeout=30)
        assert uploaded.status_code == 200, uploaded.text
        assert set(uploaded.json()) == {"success", "uploadId"}
        captioned = await api.client.post("/api/caption", json=uploaded.json(),
                                          headers=auth(key), timeout=30)
    finally:
        await service.stop()
    assert captioned.status_code == 200, captioned.text
    assert captioned.json()["success"] is True
    assert "product design image of 48x32" in captioned.json()["caption"]
