"""Jobs that bring the client's own Ideogram token, in real Chromium against the stand-in: a
token Ideogram refuses fails that job alone (nothing to renew it from) and the account goes on
with its own; a job whose token was lost on the way fails clearly instead of running on the
account's token."""

import pytest

from bus.provider_token import HEADER, ProviderToken, TokenSeal
from tests.ideogram.helpers import ideogram_account, request, sandbox_stats, start_service
from tests.support import ended

pytestmark = pytest.mark.browser


async def test_a_refused_or_lost_client_token_fails_its_job_and_the_account_keeps_working(
        settings, sandbox, clean_db, amqp, events, publisher, tmp_path):
    seal = TokenSeal("shared by the ingress and this service")
    account = await ideogram_account(sandbox, "ideo-own-1")
    service = await start_service(settings, sandbox, clean_db, amqp, [account], tmp_path,
                                  token_seal=seal)
    try:
        refused = request("generate", prompt="a fox on a revoked token")
        await publisher.publish(refused, {HEADER: seal.seal(ProviderToken("revoked-token"))})
        lost = request("generate", prompt="a fox whose token was lost")
        lost.data.own_token = True  # as the outbox relay republishes it: no header
        await publisher.publish(lost)
        after = request("generate", prompt="a fox on the account's token", num_images=1)
        await publisher.publish(after)
        failed = [await events.until(ended(job, "wowz.job.failed")) for job in (refused, lost)]
        done = await events.until(ended(after, "wowz.job.completed"))
        [state] = service.states()
    finally:
        await service.stop()
    assert [f.data.error.code for f in failed] == ["auth_expired", "auth_expired"]
    assert failed[0].data.error.message.startswith("the job's own token: Ideogram refused it")
    assert "republished from the outbox" in failed[1].data.error.message
    assert not any(f.data.error.retryable for f in failed)
    # the account was not blamed for the client's token
    assert state["healthy"] and len(done.data.output.images) == 1
    stats = await sandbox_stats(sandbox)
    assert stats["unauthorized"] >= 1 and stats["samples_by_account"] == {"ideo-own-1": 1}
