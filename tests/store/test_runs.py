"""A provider's claim on a job."""

import pytest

from store import runs

pytestmark = pytest.mark.connected


async def test_a_redelivered_job_resumes_its_provider_job_only_on_the_same_account(clean_db):
    first = await runs.claim(clean_db, job_id="j1", account_id="mj-a")
    await runs.set_provider_job_id(clean_db, job_id="j1", provider_job_id="p-1")
    again = await runs.claim(clean_db, job_id="j1", account_id="mj-a")
    elsewhere = await runs.claim(clean_db, job_id="j1", account_id="mj-b")
    assert (first.attempt, first.provider_job_id) == (1, None)
    assert (again.attempt, again.provider_job_id) == (2, "p-1")
    assert (elsewhere.attempt, elsewhere.provider_job_id) == (3, None)
    assert elsewhere.account_id == "mj-b"


async def test_a_redelivered_job_goes_back_to_its_account_when_that_one_is_reachable(clean_db):
    await runs.claim(clean_db, job_id="j3", account_id="mj-a")
    await runs.set_provider_job_id(clean_db, job_id="j3", provider_job_id="p-3")
    run = await runs.claim(clean_db, job_id="j3", account_id="mj-b",
                           reachable=["mj-b", "mj-a"])
    assert (run.account_id, run.provider_job_id) == ("mj-a", "p-3")


async def test_a_cancel_before_the_claim_is_seen_by_it(clean_db):
    from store.jobs import request_cancel

    await request_cancel(clean_db, "j2")
    run = await runs.claim(clean_db, job_id="j2", account_id="mj-a")
    assert run.cancel_requested and not await runs.finished(clean_db, "j2")
    await runs.finish(clean_db, "j2")
    assert await runs.finished(clean_db, "j2")
