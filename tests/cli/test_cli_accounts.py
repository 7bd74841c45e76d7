"""`wowz accounts list` reads the accounts table the provider services write."""

import json

import pytest

from store.accounts import save_account
from tests.dashboard.test_pages import ACCOUNTS

pytestmark = pytest.mark.connected


async def test_wowz_accounts_list_shows_health_load_and_jobs_today(clean_db, wowz):
    await clean_db.execute("delete from accounts")
    for view in ACCOUNTS:
        await save_account(clean_db, view)
    code, out, _ = await wowz("accounts", "list")
    header, *rows = out.splitlines()
    assert code == 0 and header.split()[:3] == ["PROVIDER", "ACCOUNT", "HEALTH"]
    assert rows[0].split()[:5] == ["midjourney", "mj-1", "healthy", "2/3", "14/200"]
    assert rows[1].split()[:4] == ["midjourney", "mj-2", "unhealthy:", "auth_expired"]
    code, out, _ = await wowz("accounts", "list", "--provider", "ideogram", "--json")
    assert code == 0 and json.loads(out) == []
