"""The Python client, as another system uses it."""

import pytest

from producers.client import Client, WowzError, publish, verify_webhook
from store import keys
from tests.conftest import TEST_AMQP

pytestmark = pytest.mark.e2e


async def test_the_client_submits_waits_publishes_and_verifies(platform, receiver, clean_db):
    import asyncio

    key = await keys.create_key(clean_db, name="client")
    client = Client(platform.settings.http.public_url, key.api_key)
    try:
        job = await asyncio.to_thread(client.submit, "midjourney", "imagine",
                                      {"prompt": "client fox"}, webhook=f"{receiver.url}/h")
        done = await asyncio.to_thread(client.wait, job["id"], timeout_s=60, poll_s=0.2)
        with pytest.raises(WowzError, match="input.prompt"):
            await asyncio.to_thread(client.submit, "midjourney", "imagine", {"prompt": ""})
    finally:
        client.close()
    assert done["status"] == "completed" and len(done["output"]["images"]) == 4
    [delivery] = await receiver.wait_for(1)
    assert verify_webhook(key.key.webhook_secret, delivery["body"],
                          delivery["headers"])["data"]["job_id"] == job["id"]
    with pytest.raises(Exception, match="signature"):
        verify_webhook(key.key.webhook_secret, delivery["body"] + b" ", delivery["headers"])

    job_id = await publish(TEST_AMQP, "midjourney", "imagine", {"prompt": "over amqp"})
    for _ in range(300):
        row = await clean_db.fetchrow("select status from jobs where id = $1", job_id)
        if row and row["status"] == "completed":
            break
        await asyncio.sleep(0.1)
    assert row["status"] == "completed"
