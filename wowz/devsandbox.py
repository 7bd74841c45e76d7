"""`wowz up --sandbox`: the provider stand-ins in-process, with two accounts per provider so the
account pool is exercised, their cookies written like a user's (seed format)."""

import json
from pathlib import Path

import httpx

from consumers.providers.accounts import Account
from wowz.settings import Settings

ACCOUNTS_PER_PROVIDER = 2


async def start(settings: Settings, *, generation_s: float = 8.0):
    """Start the stand-ins; point the settings at them; return (sandbox, accounts)."""
    from sandbox.server import start_sandbox

    box = await start_sandbox(generation_s=generation_s)
    settings.providers.midjourney_url = box.midjourney_url
    settings.providers.midjourney_cdn_url = box.cdn_url
    folder = Path(settings.store.storage_dir).parent / "sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    accounts = []
    async with httpx.AsyncClient(base_url=box.midjourney_url) as client:
        for n in range(1, ACCOUNTS_PER_PROVIDER + 1):
            account_id = f"mj-sandbox-{n}"
            created = (await client.post("/_sandbox/accounts",
                                         json={"account_id": account_id})).raise_for_status()
            cookies = folder / f"{account_id}.cookies.json"
            cookies.write_text(json.dumps(created.json()["cookies"]))
            cookies.chmod(0o600)
            accounts.append(Account(id=account_id, provider="midjourney", credentials=cookies,
                                    user_id=created.json()["user_id"], concurrency=3))
    return box, accounts
