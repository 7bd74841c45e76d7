"""A client's own provider token for one job: it reaches the bus sealed in a header, and is
written nowhere else; the outbox, which cannot resend it, says it is missing."""

import asyncio
import uuid

import pytest

from bus.codec import from_message
from bus.provider_token import HEADER, ProviderToken, TokenSeal
from store.keys import create_key

pytestmark = pytest.mark.connected

TOKEN = "idg-client-token-" + uuid.uuid4().hex
GENERATE = {"provider": "ideogram", "action": "generate", "input": {"prompt": "a fox"}}


async def first_message(tap):
    """The raw message (its headers too) of the first request published."""
    async with asyncio.timeout(5):
        while (message := await tap.queue.get(no_ack=True, fail=False)) is None:
            await asyncio.sleep(0.02)
    return message


async def test_a_jobs_own_token_goes_to_the_bus_sealed_and_into_no_row(
        serve, clean_db, clean_bus, tap):
    seal = TokenSeal("a key the provider services share")
    api = await serve(token_seal=seal)
    key = await create_key(clean_db, name="client")
    response = await api.client.post("/v1/jobs", json=GENERATE, headers={
        "X-API-Key": key.api_key, "X-Provider-Token": f"Bearer {TOKEN}",
        "X-Provider-User-Id": "user-7"})
    assert response.status_code == 202, response.text

    message = await first_message(tap)
    assert from_message(message).data.own_token is True
    assert seal.open(message.headers[HEADER]) == ProviderToken(TOKEN, "user-7")
    assert TOKEN not in message.body.decode() and TOKEN not in str(message.headers)
    row = await clean_db.fetchrow("select j::text as text, own_token from jobs j")
    assert row["own_token"] is True and TOKEN not in row["text"]
    assert TOKEN not in response.text


async def test_a_token_for_a_provider_that_takes_none_is_refused_naming_the_header(api, key):
    response = await api.client.post("/v1/jobs", headers={
        "X-API-Key": key.api_key, "X-Provider-Token": TOKEN}, json={
        "provider": "midjourney", "action": "imagine", "input": {"prompt": "a cat"}})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("X-Provider-Token: midjourney jobs")
    assert TOKEN not in response.text


async def test_a_user_id_without_a_token_is_refused(api, key):
    response = await api.client.post("/v1/jobs", json=GENERATE, headers={
        "X-API-Key": key.api_key, "X-Provider-User-Id": "user-7"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "X-Provider-User-Id: only with X-Provider-Token"


async def test_the_relay_republishes_a_stranded_token_job_marked_as_missing_its_token(
        serve, clean_db, clean_bus, tap):
    key = await create_key(clean_db, name="client")
    job_id = str(uuid.uuid4())
    await clean_db.execute(
        """insert into jobs (id, provider, action, input, api_key_id, own_token, created_at)
           values ($1, 'ideogram', 'generate', $2, $3, true, now() - interval '1 minute')""",
        job_id, {"prompt": "a fox"}, key.key.id)
    await serve(outbox_interval_s=0.2)

    message = await first_message(tap)
    event = from_message(message)
    assert event.data.job_id == job_id and event.data.own_token is True
    assert HEADER not in message.headers


async def test_the_seeds_remix_takes_the_ideogram_bearer_sent_beside_the_wowz_key(
        serve, clean_db, clean_bus, tap):
    seal = TokenSeal("a key the provider services share")
    api = await serve(token_seal=seal)
    key = await create_key(clean_db, name="n8n")
    response = await api.client.post("/api/remix", json={
        "imageUrl": "https://images.example.com/fox.png"}, headers={
        "X-API-Key": key.api_key, "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text

    message = await first_message(tap)
    assert from_message(message).data.job_id == response.json()["jobId"]
    assert seal.open(message.headers[HEADER]) == ProviderToken(TOKEN)
