"""Prompts (or the control API) make the stand-in moderate, rate-limit, hang or fail a job."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.unit


async def test_moderated_prompt_is_refused_in_the_failure_list(sign_in, control):
    session = await sign_in("mj-1")

    response = await session.submit("something sandbox:moderated")

    assert response.status_code == 200
    assert response.json() == {
        "success": [],
        "failure": [
            {
                "type": "moderation",
                "message": "Sorry! Our AI moderator thinks this prompt is probably against "
                "our community standards.",
            }
        ],
    }
    assert (await control.get("/_sandbox/jobs")).json() == []


async def test_rate_limited_prompt_gets_429_with_retry_after(sign_in):
    session = await sign_in("mj-1")

    response = await session.submit("a cat sandbox:429")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"] == "rate_limited"


async def test_hanging_job_never_gets_past_fifty_percent(sign_in, sandbox):
    session = await sign_in("mj-1")
    job_id = await session.imagine("a cat sandbox:hang")

    await asyncio.sleep(sandbox.state.config.generation_s * 2)

    (status,) = await session.status(job_id)
    assert status["current_status"] == "running"
    assert status["percentage_complete"] == 50


async def test_failing_job_ends_failed_without_images(sign_in, cdn, control):
    session = await sign_in("mj-1")
    job_id = await session.imagine("a cat sandbox:fail")

    status = await session.wait_until_done(job_id)

    assert status["current_status"] == "failed"
    assert (await cdn.get(f"/{job_id}/0_0.png")).status_code == 404
    assert (await control.get(f"/_sandbox/jobs/{job_id}")).json()["done_at"] is not None


async def test_forced_failures_hit_the_next_submissions_of_that_account_only(sign_in, control):
    alice, bob = await sign_in("mj-1"), await sign_in("mj-2")

    forced = await control.post(
        "/_sandbox/accounts/mj-1/failures", json={"trigger": "429", "count": 2}
    )

    assert forced.json()["forced_failures"] == ["429", "429"]
    assert (await bob.submit("a cat")).status_code == 200
    assert [(await alice.submit("a cat")).status_code for _ in range(3)] == [429, 429, 200]
