"""Chat, and what goes wrong on chatgpt.com: a logged-out profile, a human check, the usage cap,
an answer that never ends, a browser that dies mid-answer."""

import os
import signal

import pytest

from tests.chatgpt.helpers import job, logged_in_account, start_service
from tests.support import chromium_pids, ended

pytestmark = pytest.mark.browser


async def test_a_chat_starts_a_conversation_and_continues_it_with_an_image(
        settings, sandbox, control, images, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        first = job("chat", prompt="hello there")
        await publisher.publish(first)
        one = await events.until(ended(first, "wowz.job.completed"))
        second = job("chat", prompt="and this?", image_url=f"{images.url}/design.png",
                     conversation_id=one.data.output.conversation_id)
        await publisher.publish(second)
        two = await events.until(ended(second, "wowz.job.completed"))
    finally:
        await service.stop()
    assert one.data.output.text == "You said: hello there"
    assert two.data.output.text == "You said: and this? (with an image)"
    assert two.data.output.conversation_id == one.data.output.conversation_id
    assert two.data.output.images == [] and two.data.output.prompt is None
    chat = sandbox.chatgpt.state.conversations[one.data.output.conversation_id]
    assert chat.gizmo_id is None and len(chat.mapping) == 6


async def test_a_logged_out_profile_is_unhealthy_and_its_job_goes_to_the_other_account(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    out = await logged_in_account(settings, sandbox, "gpt-out", tmp_path)
    ok = await logged_in_account(settings, sandbox, "gpt-ok", tmp_path)
    await control.post("/_sandbox/accounts/gpt-out/logout")
    service = await start_service(settings, sandbox, clean_db, amqp, [out, ok], tmp_path)
    try:
        remix = job("remix_design", prompt="a lamp")
        await publisher.publish(remix)
        done = await events.until(ended(remix, "wowz.job.completed"))
        states = {s["id"]: s for s in service.states()}
    finally:
        await service.stop()
    assert done.data.account_id == "gpt-ok"
    assert states["gpt-out"]["healthy"] is False
    assert states["gpt-out"]["reason"].startswith("auth_expired: not logged in")


async def test_a_human_check_pauses_the_account_until_it_is_cleared(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        await control.post("/_sandbox/accounts/gpt-1/human_check", json={"on": True})
        remix = job("remix_design", prompt="a vase")
        await publisher.publish(remix)
        health = await events.until(lambda e: e.type == "wowz.account.health"
                                    and not e.data.healthy
                                    and e.data.reason.startswith("captcha_required"))
        await control.post("/_sandbox/accounts/gpt-1/human_check", json={"on": False})
        done = await events.until(ended(remix, "wowz.job.completed"))
    finally:
        await service.stop()
    assert "verify a human" in health.data.reason
    assert done.data.output.images


async def test_the_usage_cap_makes_the_account_rate_limited_and_the_other_keeps_working(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    capped = await logged_in_account(settings, sandbox, "gpt-capped", tmp_path)
    ok = await logged_in_account(settings, sandbox, "gpt-ok", tmp_path)
    await control.post("/_sandbox/accounts/gpt-capped/capped", json={"on": True})
    await control.post("/_sandbox/config", json={"answer_s": 0.3})
    service = await start_service(settings, sandbox, clean_db, amqp, [capped, ok], tmp_path)
    try:
        jobs = [job("remix_design", prompt=f"poster {i}") for i in range(3)]
        for each in jobs:
            await publisher.publish(each)
        health = await events.until(lambda e: e.type == "wowz.account.health"
                                    and e.data.account_id == "gpt-capped"
                                    and e.data.reason.startswith("rate_limited"))
        # The job the capped account handed back is not awaited: the shared worker can bounce
        # it to itself past the queue's delivery limit before its consumer is cancelled.
        done = await events.until(lambda e: e.type == "wowz.job.completed"
                                  and e.data.account_id == "gpt-ok")
        states = {s["id"]: s for s in service.states()}
    finally:
        await service.stop()
    assert "usage cap" in health.data.reason
    assert done.data.output.images
    assert states["gpt-capped"]["healthy"] is False and states["gpt-ok"]["healthy"] is True
    ids = {each.data.job_id for each in jobs}
    assert {e.data.account_id for e in events.seen
            if e.type == "wowz.job.completed" and e.data.job_id in ids} == {"gpt-ok"}


async def test_an_answer_that_never_finishes_times_out_and_the_account_keeps_working(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        hang = job("remix_design", prompt="forever sandbox:hang", timeout_s=10)
        await publisher.publish(hang)
        failed = await events.until(ended(hang, "wowz.job.failed"), timeout=30)
        after = job("remix_design", prompt="a quick one")
        await publisher.publish(after)
        await events.until(ended(after, "wowz.job.completed"))
    finally:
        await service.stop()
    assert failed.data.error.code == "timeout"


async def test_a_browser_killed_mid_answer_is_relaunched_and_the_job_retried_once(
        settings, sandbox, control, clean_db, amqp, events, publisher, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    await control.post("/_sandbox/config", json={"answer_s": 2.0})
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path)
    try:
        remix = job("remix_design", prompt="survives a crash")
        await publisher.publish(remix)
        await events.until(lambda e: ended(remix, "wowz.job.progress")(e)
                           and e.data.stage == "answering")
        [pid] = chromium_pids(tmp_path / "profiles" / "gpt-1")
        os.kill(pid, signal.SIGKILL)
        done = await events.until(ended(remix, "wowz.job.completed"), timeout=40)
    finally:
        await service.stop()
    assert events.of(remix.data.job_id).count("wowz.job.started") == 2
    assert done.data.output.images
    assert service.workers[0].adapter.session.launches == 2
