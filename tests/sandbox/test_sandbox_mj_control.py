"""Tests and benchmarks count submissions and status polls per account, tune and reset."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


async def test_stats_count_submissions_and_status_requests_per_account(sign_in, control, cdn):
    alice, bob = await sign_in("mj-1"), await sign_in("mj-2")
    first = await alice.imagine("one")
    await alice.imagine("two")
    await bob.imagine("three")
    await alice.status(first)
    await alice.wait_until_done(first)
    polls = (await control.get("/_sandbox/stats")).json()["status_requests_by_account"]["mj-1"]
    await cdn.get(f"/{first}/0_0.png")
    await cdn.get(f"/{first}/0_0.png")

    stats = (await control.get("/_sandbox/stats")).json()

    assert stats["submissions"] == 3
    assert stats["submissions_by_account"] == {"mj-1": 2, "mj-2": 1}
    assert stats["status_requests"] == polls
    assert stats["status_requests_by_account"] == {"mj-1": polls}
    assert stats["cdn_downloads"] == 2


async def test_reset_clears_jobs_and_counters_but_keeps_accounts(sign_in, control):
    session = await sign_in("mj-1")
    await session.imagine("a cat")

    reset = await control.post("/_sandbox/reset")

    assert reset.json()["submissions"] == 0
    assert (await control.get("/_sandbox/jobs")).json() == []
    assert (await session.submit("still signed in")).status_code == 200


async def test_config_sets_generation_time_and_image_size_of_new_jobs(sign_in, control):
    session = await sign_in("mj-1")

    config = await control.post("/_sandbox/config", json={"generation_s": 5, "image_size": 256})

    assert config.json() == {"generation_s": 5.0, "image_size": 256}
    meta = (await session.submit("wide --ar 2:1")).json()["success"][0]["meta"]
    assert (meta["width"], meta["height"]) == (256, 128)
    (job,) = (await control.get("/_sandbox/jobs")).json()
    assert job["status"] == "pending"
    assert job["done_at"] is None


async def test_jobs_are_listed_with_their_account_and_prompt(sign_in, control):
    session = await sign_in("mj-1")
    job_id = await session.imagine("a cat")

    job = (await control.get(f"/_sandbox/jobs/{job_id}")).json()

    assert job["job_id"] == job_id
    assert job["account_id"] == "mj-1"
    assert job["prompt"] == "a cat"
    assert job["status"] in ("pending", "running")
    assert (await control.get("/_sandbox/jobs/unknown")).status_code == 404


async def test_unknown_account_cannot_be_expired(control):
    assert (await control.post("/_sandbox/accounts/nobody/expire")).status_code == 404
