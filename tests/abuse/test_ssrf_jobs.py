"""A job that reaches a provider with an internal image URL (published straight to the bus, past
the ingress's check) fails as bad_input naming the field and the reason, and the account keeps
working; a ChatGPT remix does not send the logged-in browser to a GPT on another origin."""

import pytest

from tests.abuse.test_ssrf import TARGETS
from tests.chatgpt.helpers import job as chatgpt_job
from tests.chatgpt.helpers import logged_in_account
from tests.chatgpt.helpers import start_service as start_chatgpt
from tests.ideogram.helpers import ideogram_account, request, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_an_internal_image_url_fails_the_job_as_bad_input(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await ideogram_account(sandbox, "ideo-ssrf")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  allow_private_urls=False)
    try:
        jobs = [request("remix", image_url=target) for target, _ in TARGETS]
        for job in jobs:
            await publisher.publish(job)
        failed = [await events.until(ended(job, "wowz.job.failed")) for job in jobs]
        after = request("generate", prompt="a fox, sticker", num_images=1)
        await publisher.publish(after)
        await events.until(ended(after, "wowz.job.completed"))
        [state] = service.states()
    finally:
        await service.stop()

    for (target, reason), event in zip(TARGETS, failed, strict=True):
        error = event.data.error
        assert error.code == "bad_input" and not error.retryable, target
        assert error.message.startswith("image_url") and reason in error.message, error.message
    assert state["healthy"] is True, state


async def test_a_remix_on_a_gpt_of_another_origin_fails_as_bad_input(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-ssrf", tmp_path)
    service = await start_chatgpt(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        remix = chatgpt_job("remix_design", prompt="a fox",
                            gpt_url="http://169.254.169.254/g/g-metadata")
        await publisher.publish(remix)
        failed = await events.until(ended(remix, "wowz.job.failed"))
    finally:
        await service.stop()

    assert failed.data.error.code == "bad_input"
    assert failed.data.error.message == (f"gpt_url must be a GPT on {sandbox.chatgpt_url}, not "
                                         "on http://169.254.169.254")
