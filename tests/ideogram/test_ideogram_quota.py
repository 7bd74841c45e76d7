"""An Ideogram account that runs out of generations mid-run pauses itself: the job it was on
fails `quota_exhausted`, the other account takes the rest, and it comes back with its quota."""

import pytest

from store import accounts as account_rows
from tests.ideogram.helpers import ideogram_account, request, sandbox_post, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_an_account_out_of_generations_mid_run_pauses_until_its_quota_returns(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    await clean_db.execute("truncate accounts")
    dry = await ideogram_account(sandbox, "ideo-dry", concurrency=1)
    wet = await ideogram_account(sandbox, "ideo-wet", concurrency=1)
    service = await start_service(settings, sandbox, clean_db, amqp, [dry, wet], tmp_path)
    try:
        await sandbox_post(sandbox, "/_sandbox/accounts/ideo-dry/quota", {"remaining": 0})
        jobs = [request("generate", prompt=f"a calm lake {i}", num_images=1) for i in range(4)]
        for job in jobs:
            await publisher.publish(job)
        ends = [await events.until(lambda e, j=job: e.type in (
            "wowz.job.completed", "wowz.job.failed") and e.data.job_id == j.data.job_id)
            for job in jobs]
        paused = await events.until(lambda e: e.type == "wowz.account.health"
                                    and e.data.account_id == "ideo-dry" and not e.data.healthy)
        rows = {r["id"]: r for r in await account_rows.list_accounts(clean_db,
                                                                     provider="ideogram")}
        await sandbox_post(sandbox, "/_sandbox/accounts/ideo-dry/quota", {"remaining": None})
        await events.until(lambda e: e.type == "wowz.account.health"
                           and e.data.account_id == "ideo-dry" and e.data.healthy)
        back = [request("generate", prompt=f"a calm sea {i}", num_images=1) for i in range(4)]
        for job in back:
            await publisher.publish(job)
        done = [await events.until(ended(job, "wowz.job.completed")) for job in back]
    finally:
        await service.stop()
    failed = [e for e in ends if e.type == "wowz.job.failed"]
    assert [(f.data.error.code, f.data.account_id) for f in failed] == [
        ("quota_exhausted", "ideo-dry")]  # the one job it took before pausing, none after
    assert {e.data.account_id for e in ends if e.type == "wowz.job.completed"} == {"ideo-wet"}
    assert paused.data.reason.startswith("quota_exhausted")
    assert rows["ideo-dry"]["healthy"] is False
    assert rows["ideo-dry"]["reason"].startswith("quota_exhausted")
    assert rows["ideo-wet"]["healthy"] is True
    assert "ideo-dry" in {e.data.account_id for e in done}  # taking jobs again
