"""An Ideogram generation that never finishes ends as a timeout; the account goes on working."""

import pytest

from tests.ideogram.helpers import ideogram_account, request, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_a_hanging_generation_times_out_and_the_account_keeps_working(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await ideogram_account(sandbox, "ideo-1")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        hang = request("generate", timeout_s=10, prompt="forever sandbox:hang", num_images=1)
        await publisher.publish(hang)
        failed = await events.until(ended(hang, "wowz.job.failed"), timeout=30)
        ok = request("generate", prompt="a quick one", num_images=1)
        await publisher.publish(ok)
        done = await events.until(ended(ok, "wowz.job.completed"))
    finally:
        await service.stop()
    assert failed.data.error.code == "timeout"
    assert done.data.output.images and service.states()[0]["healthy"] is True
