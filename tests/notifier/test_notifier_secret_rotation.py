"""A client rotating its webhook secret: during the grace period every webhook carries a
signature by the new secret and one by the old, so its receiver verifies with either; after
it, only the new secret signs."""

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from store import keys
from tests.notifier.helpers import a_job, completed

pytestmark = pytest.mark.connected


async def delivered_after_rotation(clean_db, receiver, publisher, start_notifier, grace_s):
    job_id, old = await a_job(clean_db, receiver.url("/hooks/wowz"))
    key_id = await clean_db.fetchval("select api_key_id from jobs where id = $1", job_id)
    new = await keys.rotate_webhook_secret(clean_db, key_id, grace_s=grace_s)
    await start_notifier()
    await publisher.publish(completed(job_id))
    [request] = await receiver.wait_for(1)
    return request, old, new


async def test_during_the_grace_period_a_webhook_verifies_with_the_old_or_the_new_secret(
        start_notifier, receiver, publisher, clean_db):
    request, old, new = await delivered_after_rotation(clean_db, receiver, publisher,
                                                       start_notifier, grace_s=3600)
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    for secret in (old, new):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == \
            "wowz.job.completed"


async def test_after_the_grace_period_only_the_new_secret_signs(
        start_notifier, receiver, publisher, clean_db):
    request, old, new = await delivered_after_rotation(clean_db, receiver, publisher,
                                                       start_notifier, grace_s=0)
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new).verify(request.body, request.headers)["type"] == "wowz.job.completed"
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request.body, request.headers)
