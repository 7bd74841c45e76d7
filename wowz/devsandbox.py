"""`wowz up --sandbox`: the provider stand-ins in-process, with two accounts per provider so the
account pool is exercised, their cookies written like a user's (seed format)."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from consumers.providers.accounts import Account
from wowz.settings import Settings

ACCOUNTS_PER_PROVIDER = 2


async def _ideogram_accounts(settings: Settings, box) -> list[Account]:
    """Ideogram accounts take their tokens from the stand-in's token service."""
    settings.providers.ideogram_url = box.ideogram_url
    accounts = []
    async with httpx.AsyncClient(base_url=box.ideogram_url) as client:
        for n in range(1, ACCOUNTS_PER_PROVIDER + 1):
            account_id = f"ideogram-sandbox-{n}"
            created = (await client.post("/_sandbox/accounts",
                                         json={"account_id": account_id})).raise_for_status()
            accounts.append(Account(
                id=account_id, provider="ideogram", user_id=created.json()["user_id"],
                token_url=f"{box.ideogram_token_url}/token/{account_id}", concurrency=4))
    return accounts


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
    accounts += await _chatgpt_accounts(settings, box)
    accounts += await _ideogram_accounts(settings, box)
    return box, accounts


async def _chatgpt_accounts(settings: Settings, box) -> list[Account]:
    """ChatGPT accounts are profiles: each is logged in once through the stand-in's login."""
    from consumers.chatgpt.login import open_profile
    from consumers.providers.browser import BrowserConfig

    gpt_path = urlsplit(settings.providers.chatgpt_url).path
    settings.providers.chatgpt_url = box.chatgpt_url + gpt_path
    b = settings.browser
    config = BrowserConfig(executable=b.chromium_path, args=b.chromium_args, headless=True)
    accounts = []
    for n in range(1, ACCOUNTS_PER_PROVIDER + 1):
        account_id = f"gpt-sandbox-{n}"
        await open_profile(config, b.profiles_dir / account_id,
                           f"{box.chatgpt_url}/_sandbox/login/{account_id}", until_closed=False)
        accounts.append(Account(id=account_id, provider="chatgpt", concurrency=1))
    return accounts
