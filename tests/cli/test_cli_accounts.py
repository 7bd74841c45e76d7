"""`wowz accounts list` reads the accounts table the provider services write."""

import json

import pytest

from tests.dashboard.helpers import report_accounts

pytestmark = pytest.mark.connected


async def test_wowz_accounts_list_shows_health_load_and_jobs_today(clean_db, wowz):
    await report_accounts(clean_db)
    code, out, _ = await wowz("accounts", "list")
    header, *rows = out.splitlines()
    assert code == 0 and header.split()[:3] == ["PROVIDER", "ACCOUNT", "HEALTH"]
    assert rows[0].split()[:5] == ["midjourney", "mj-1", "healthy", "2/3", "14/200"]
    assert rows[1].split()[:4] == ["midjourney", "mj-2", "unhealthy:", "auth_expired"]
    code, out, _ = await wowz("accounts", "list", "--provider", "ideogram", "--json")
    assert code == 0 and json.loads(out) == []


async def test_wowz_accounts_disable_and_enable_switch_an_account_through_the_api(
        serve, admin, key, clean_db, wowz):
    await report_accounts(clean_db)
    api = await serve()
    target = ["--url", api.url, "--key", admin.api_key]
    code, out, _ = await wowz("accounts", "disable", "mj-1", *target)
    assert code == 0 and out == "mj-1 disabled (2 job(s) still running finish)\n"
    code, out, _ = await wowz("accounts", "list")
    assert code == 0 and out.splitlines()[1].split()[5:7] == ["fast", "disabled"]
    code, out, _ = await wowz("accounts", "enable", "mj-1", *target)
    assert code == 0 and out == "mj-1 enabled\n"
    code, _, err = await wowz("accounts", "disable", "mj-9", *target)
    assert code == 1 and "no account mj-9" in err
    code, _, err = await wowz("accounts", "disable", "mj-1", "--url", api.url,
                              "--key", key.api_key)
    assert code == 2 and "403" in err
