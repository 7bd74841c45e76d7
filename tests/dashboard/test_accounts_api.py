"""An operator switches provider accounts off and on over `/v1/accounts`: the switch is kept
in the accounts table and told to the services on the bus; what cannot be done says why."""

import pytest

from tests.dashboard.helpers import ACCOUNTS, report_accounts
from tests.http.conftest import auth

pytestmark = pytest.mark.connected


@pytest.fixture
async def reported(clean_db):
    """Two Midjourney accounts as their service wrote them; a third disabled in its file."""
    await report_accounts(clean_db, {**ACCOUNTS[0], "id": "mj-off", "enabled": False})


async def test_an_operator_disables_an_account_and_enables_it_again(
        serve, admin, reported, events):
    api = await serve()
    off = await api.client.post("/v1/accounts/mj-1/disable", headers=auth(admin))
    assert off.status_code == 200
    assert (off.json()["enabled"], off.json()["disabled_by"]) == (False, admin.key.id)
    told = await events.until(lambda e: e.type == "wowz.account.control", timeout=5)
    assert (told.data.account_id, told.data.provider, told.data.enabled) == (
        "mj-1", "midjourney", False)
    listed = (await api.client.get("/v1/accounts", headers=auth(admin))).json()["data"]
    assert {a["id"]: a["enabled"] for a in listed} == {"mj-1": False, "mj-2": True,
                                                       "mj-off": False}
    assert listed[0]["disabled_at"] is not None and listed[2]["disabled_at"] is None

    on = await api.client.post("/v1/accounts/mj-1/enable", headers=auth(admin))
    assert on.status_code == 200 and on.json()["enabled"] is True
    assert on.json()["disabled_at"] is None
    told = await events.until(lambda e: e.type == "wowz.account.control" and e.data.enabled,
                              timeout=5)
    assert told.data.account_id == "mj-1" and told.data.by == admin.key.id


async def test_a_switch_that_cannot_be_done_says_why(serve, admin, key, reported):
    api = await serve()
    refused = await api.client.post("/v1/accounts/mj-1/disable", headers=auth(key))
    assert refused.status_code == 403
    unknown = await api.client.post("/v1/accounts/mj-9/disable", headers=auth(admin))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == (
        "no account mj-9 (no provider service has reported it)")
    bad = await api.client.post("/v1/accounts/mj%20one/disable", headers=auth(admin))
    assert bad.status_code == 422 and "account_id" in bad.text
    in_file = await api.client.post("/v1/accounts/mj-off/enable", headers=auth(admin))
    assert in_file.status_code == 409
    assert "disabled in its accounts file" in in_file.json()["error"]["message"]
    assert (await api.client.get("/v1/accounts", headers=auth(key))).status_code == 403
