"""Builds the Ideogram provider service: per account a browser session on ideogram.ai, a token
provider fed by the account's token source, and the adapter."""

from collections.abc import Callable
from pathlib import Path

import asyncpg

from consumers.ideogram import wire
from consumers.ideogram.adapter import IdeogramAdapter
from consumers.ideogram.client import IdeogramApi
from consumers.ideogram.tokens import Fetch, TokenProvider, file_token, service_token, static_token
from consumers.providers.accounts import Account
from consumers.providers.browser import BrowserConfig, BrowserSession


def token_source(account: Account, default_url: str | None = None) -> Fetch:
    """The account's static token, its token service, its token file (`credentials`), or else
    the default token service (`{account}` in it becomes the account id)."""
    if account.token is not None:
        return static_token(account.token.get_secret_value())
    if account.token_url is not None:
        return service_token(account.token_url)
    if account.credentials is not None:
        return file_token(account.credentials)
    if default_url is not None:
        return service_token(default_url.replace("{account}", account.id))
    raise ValueError(f"account {account.id}: give a token, a token_url or a token file")


def adapter_factory(*, browser: BrowserConfig, profiles_dir: Path, web_url: str, bucket: str,
                    token_url: str | None = None, allow_private_urls: bool = False,
                    poll_interval_s: float = 1.0,
                    token_margin_s: float = 5.0,
                    token_ahead_s: float = 60.0,
                    pool: asyncpg.Pool | None = None) -> Callable[[Account], IdeogramAdapter]:
    def build(account: Account) -> IdeogramAdapter:
        if not account.user_id:
            raise ValueError(f"account {account.id}: user_id (Ideogram's) is required")
        tokens = TokenProvider(token_source(account, token_url), margin_s=token_margin_s,
                               ahead_s=token_ahead_s)
        session = BrowserSession(config=browser, profile_dir=profiles_dir / account.id,
                                 origin=web_url, start_path=wire.START_PAGE)
        return IdeogramAdapter(IdeogramApi(session, tokens), user_id=account.user_id,
                               bucket=bucket, allow_private_urls=allow_private_urls,
                               poll_interval_s=poll_interval_s, pool=pool)

    return build
