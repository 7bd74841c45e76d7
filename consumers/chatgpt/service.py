"""Builds the ChatGPT provider service: an adapter per account on the account's own profile.
The profile holds the login (its cookies), so nothing is injected."""

from collections.abc import Callable
from pathlib import Path

from consumers.chatgpt import wire
from consumers.chatgpt.adapter import ChatGPTAdapter
from consumers.providers.accounts import Account
from consumers.providers.browser import BrowserConfig, BrowserSession


def adapter_factory(*, browser: BrowserConfig, profiles_dir: Path, gpt_url: str, bucket: str,
                    allow_private_urls: bool = False) -> Callable[[Account], ChatGPTAdapter]:
    def build(account: Account) -> ChatGPTAdapter:
        session = BrowserSession(config=browser, profile_dir=profiles_dir / account.id,
                                 origin=wire.origin(gpt_url), start_path="/")
        return ChatGPTAdapter(session, gpt_url=gpt_url, bucket=bucket,
                              allow_private_urls=allow_private_urls)

    return build
