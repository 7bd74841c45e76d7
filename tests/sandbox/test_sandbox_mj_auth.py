"""The API refuses calls without a valid id-token cookie, the CSRF header or the own channel."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


async def test_expired_token_gets_401_until_restored(sign_in, control):
    session = await sign_in("mj-1")
    await control.post("/_sandbox/accounts/mj-1/expire")

    refused = await session.submit("a cat")

    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    assert (await session.http.post("/api/job-status", json={"jobIds": []})).status_code == 401

    restored = await control.post("/_sandbox/accounts/mj-1/restore")
    assert restored.json()["token_valid"] is True
    assert (await session.submit("a cat")).status_code == 200


async def test_token_past_its_ttl_gets_401(sign_in):
    session = await sign_in("mj-1", token_ttl_s=0)

    assert (await session.submit("a cat")).status_code == 401


async def test_missing_cookie_gets_401(control, sign_in):
    session = await sign_in("mj-1")

    response = await control.post(
        "/api/submit-jobs",
        json={"t": "imagine", "prompt": "a cat", "channelId": f"singleplayer_{session.user_id}"},
        headers={"x-csrf-protection": "1"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_fresh_tokens_replace_the_old_ones(sign_in):
    old = await sign_in("mj-1")
    new = await sign_in("mj-1")

    assert new.user_id == old.user_id
    assert (await old.submit("a cat")).status_code == 401
    assert (await new.submit("a cat")).status_code == 200


async def test_missing_csrf_header_gets_403(sign_in):
    session = await sign_in("mj-1", csrf=False)

    response = await session.submit("a cat")

    assert response.status_code == 403
    assert response.json()["error"] == "csrf"


async def test_someone_elses_channel_gets_403(sign_in):
    session = await sign_in("mj-1")

    response = await session.submit("a cat", channelId="singleplayer_someone-else")

    assert response.status_code == 403


async def test_unsupported_action_gets_400(sign_in):
    session = await sign_in("mj-1")

    response = await session.submit("a cat", t="inpaint")

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported t"


@pytest.mark.parametrize("prompt", ["", "   "])
async def test_empty_prompt_gets_400(sign_in, prompt):
    session = await sign_in("mj-1")

    assert (await session.submit(prompt)).status_code == 400
