"""An operator managing API keys with `wowz keys`: rotating a key without a gap for its
client, setting a key's own limits, and being told clearly what it got wrong."""

import asyncio
import json
import time

import pytest

from producers.http.limits import KeyLimits
from store import keys
from tests.http.conftest import auth

pytestmark = pytest.mark.connected


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


async def test_a_rotated_key_keeps_working_for_its_grace_period_then_is_refused(
        serve, clean_db, clean_bus, wowz):
    api = await serve()
    code, out, _ = await wowz("keys", "create", "--name", "n8n", "--json")
    old = json.loads(out)
    assert code == 0 and (await api.client.get("/v1/jobs", headers=bearer(old["api_key"]))
                          ).status_code == 200

    code, out, _ = await wowz("keys", "rotate", "n8n", "--grace-s", "1", "--json")
    rotated = json.loads(out)
    assert code == 0 and rotated["id"] == old["id"] and rotated["api_key"] != old["api_key"]
    for api_key in (old["api_key"], rotated["api_key"]):
        assert (await api.client.get("/v1/jobs", headers=bearer(api_key))).status_code == 200

    deadline = time.monotonic() + 5
    while (await api.client.get("/v1/jobs", headers=bearer(old["api_key"]))).status_code == 200:
        assert time.monotonic() < deadline, "the old key still works after its grace period"
        await asyncio.sleep(0.1)
    refused = await api.client.get("/v1/jobs", headers=bearer(old["api_key"]))
    assert refused.status_code == 401
    assert (await api.client.get("/v1/jobs", headers=bearer(rotated["api_key"]))
            ).status_code == 200


async def test_a_rotated_webhook_secret_is_printed_once_with_the_end_of_the_old_ones_grace(
        clean_db, key, wowz):
    code, out, _ = await wowz("keys", "rotate-secret", key.key.id, "--grace-s", "3600")
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    assert code == 0 and lines["webhook secret"].strip().startswith("whsec_")
    assert await keys.webhook_secrets(clean_db, key.key.id) == [
        lines["webhook secret"].strip(), key.key.webhook_secret]
    assert "old one works until" in lines


async def test_wowz_keys_limit_sets_a_keys_own_limits_which_the_ingress_applies(
        serve, clean_db, clean_bus, key, wowz):
    api = await serve(limits=KeyLimits(clean_db))  # no defaults: only the key's own limits
    code, out, _ = await wowz("keys", "limit", key.key.id, "--rate-per-s", "0.1",
                              "--burst", "2")
    assert code == 0 and out.strip().endswith("rate-per-s 0.1, burst 2, max-in-flight default")
    answered = [(await api.client.get("/v1/jobs", headers=auth(key))).status_code
                for _ in range(3)]
    assert answered == [200, 200, 429]

    code, out, _ = await wowz("keys", "limit", key.key.id, "--burst", "default")
    assert code == 0 and "rate-per-s 0.1, burst default" in out


async def test_wowz_keys_says_what_was_wrong(clean_db, wowz):
    await keys.create_key(clean_db, name="shop")
    await keys.create_key(clean_db, name="shop")
    code, _, err = await wowz("keys", "rotate", "shop")
    assert code == 1 and "2 live API keys are named 'shop': give the id" in err
    code, _, err = await wowz("keys", "revoke", "nobody")
    assert code == 1 and "no live API key with the id or name 'nobody'" in err
    code, _, err = await wowz("keys", "create", "--name", "x", "--scopes", "submit,root")
    assert code == 2 and "--scopes: root; choose from submit, read, admin" in err
    with pytest.raises(SystemExit) as exited:
        await wowz("keys", "limit", "shop", "--rate-per-s", "-3")
    assert exited.value.code == 2
