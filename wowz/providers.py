"""How each provider's service is built from the settings: one function per provider, in
PROVIDER_SERVICES, called by the platform with what every provider service shares."""

from dataclasses import dataclass

import asyncpg
from aio_pika.abc import AbstractConnection

from bus.provider_token import TokenSeal
from consumers.providers.accounts import Account
from consumers.providers.browser import BrowserConfig
from consumers.providers.service import ProviderService
from store.objects import ObjectStore
from wowz.settings import Settings


@dataclass
class Shared:
    settings: Settings
    accounts: list[Account]
    pool: asyncpg.Pool
    connection: AbstractConnection
    objects: ObjectStore

    def browser(self) -> BrowserConfig:
        s = self.settings.browser
        return BrowserConfig(executable=s.chromium_path, args=s.chromium_args,
                             headless=s.headless)

    def token_seal(self) -> TokenSeal:
        """Opens the provider tokens that clients send with their jobs (the ingress seals)."""
        return TokenSeal(self.settings.bus.provider_token_key.get_secret_value())

    def of(self, provider: str) -> list[Account]:
        return [a for a in self.accounts if a.provider == provider]


def midjourney(shared: Shared) -> ProviderService:
    from consumers.midjourney.service import adapter_factory, credentials_loader

    s = shared.settings
    factory = adapter_factory(
        browser=shared.browser(), profiles_dir=s.browser.profiles_dir,
        web_url=s.providers.midjourney_url, cdn_url=s.providers.midjourney_cdn_url,
        bucket=s.store.bucket_midjourney, poll_interval_s=s.providers.poll_interval_s,
        poll_fast_s=s.providers.poll_interval_fast_s,
        allow_private_urls=s.notifier.allow_private_urls,
        refresh_margin_s=s.providers.midjourney_refresh_margin_s,
        recycle_after_jobs=s.providers.midjourney_recycle_after_jobs,
        recycle_above_mb=s.providers.midjourney_recycle_above_mb)
    return ProviderService(provider="midjourney", accounts=shared.of("midjourney"),
                           adapter_factory=factory, pool=shared.pool,
                           connection=shared.connection, objects=shared.objects,
                           credentials_loader=credentials_loader)


def chatgpt(shared: Shared) -> ProviderService:
    from consumers.chatgpt.service import adapter_factory

    s = shared.settings
    factory = adapter_factory(
        browser=shared.browser(), profiles_dir=s.browser.profiles_dir,
        gpt_url=s.providers.chatgpt_url, bucket=s.store.bucket_chatgpt,
        # users' image URLs follow the one private-address switch the webhooks follow
        allow_private_urls=s.notifier.allow_private_urls)
    # one conversation at a time in one tab, unless the account says otherwise
    accounts = [a if "concurrency" in a.model_fields_set
                else a.model_copy(update={"concurrency": 1}) for a in shared.of("chatgpt")]
    return ProviderService(provider="chatgpt", accounts=accounts, adapter_factory=factory,
                           pool=shared.pool, connection=shared.connection,
                           objects=shared.objects)


def ideogram(shared: Shared) -> ProviderService:
    from consumers.ideogram.service import adapter_factory

    s = shared.settings
    factory = adapter_factory(
        browser=shared.browser(), profiles_dir=s.browser.profiles_dir,
        web_url=s.providers.ideogram_url, token_url=s.providers.ideogram_token_url,
        bucket=s.store.bucket_ideogram, poll_interval_s=s.providers.poll_interval_s,
        # users' image URLs follow the one private-address switch the webhooks follow
        allow_private_urls=s.notifier.allow_private_urls, pool=shared.pool)
    return ProviderService(provider="ideogram", accounts=shared.of("ideogram"),
                           adapter_factory=factory, pool=shared.pool,
                           connection=shared.connection, objects=shared.objects,
                           token_seal=shared.token_seal())


PROVIDER_SERVICES = {
    "midjourney": midjourney,
    "ideogram": ideogram,
    "chatgpt": chatgpt,
}
