"""Settings, one class per concern, all read from `WOWZ_*` variables and `.env` once at start."""

import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.hooks import SupabaseJobMap


class _Base(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WOWZ_", env_file=".env", extra="ignore",
                                      env_parse_none_str="")  # `KEY=` in .env means unset


class BusSettings(_Base):
    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    provider_token_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="encrypts a job's own provider token on the bus; give the ingress and the "
                    "provider services the same one (unset: a random key, good only for "
                    "services in one process, as `wowz up`)")

    @field_validator("provider_token_key", mode="before")
    @classmethod
    def _random_when_unset(cls, key: object) -> object:
        return SecretStr(secrets.token_urlsafe(32)) if key is None else key


class StoreSettings(_Base):
    database_url: SecretStr = SecretStr("postgresql://postgres@127.0.0.1:5432/wowz")
    storage_dir: Path = Path("var/storage")
    supabase_url: str | None = None
    supabase_service_key: SecretStr | None = None
    bucket_midjourney: str = "product-designs"
    bucket_chatgpt: str = "chatgpt-images"
    bucket_ideogram: str = "product-ideas"

    @field_validator("supabase_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        parts = urlsplit(url or "")
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError(f"WOWZ_SUPABASE_URL: {url!r} is not the project's http(s) URL "
                             "(like https://<ref>.supabase.co)")
        return url


class HttpSettings(_Base):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1_000_000
    seed_wait_s: float = Field(
        300.0, gt=0, description="how long the seed's synchronous routes (/api/upload, caption, "
                                 "upscale, ...) wait for their job before answering its id")
    api_key_cache_s: float = Field(2.0, description="how long a checked API key is trusted")
    request_timeout_s: float = Field(
        30.0, gt=0, description="a request not answered within this gets 504 (408 while its "
                                "body is still coming); streams (SSE) and the seed's "
                                "synchronous routes have their own limits")
    cors_origins: list[str] = Field(
        [], description='browser origins allowed to call the API (CORS), as JSON: '
                        '["https://app.example.com"]; none by default')
    redis_url: SecretStr | None = Field(
        None, description="Redis that the ingress replicas share the per-key rate limits in; "
                          "unset, each replica limits on its own")
    rate_limit_per_s: float | None = Field(
        50.0, gt=0, description="requests per second per API key, for keys without their own "
                                "(`wowz keys limit`); unset: no limit")
    rate_limit_burst: int | None = Field(
        100, ge=1, description="requests an API key may send at once above its rate")
    max_jobs_in_flight: int | None = Field(
        500, ge=1, description="jobs pending or processing per API key, for keys without "
                               "their own; unset: no limit")
    key_rotation_grace_s: float = Field(
        86400.0, ge=0, description="after `wowz keys rotate` / `rotate-secret`, how long the "
                                   "old key / webhook secret still work")
    metrics_port: int | None = Field(
        None, description="Prometheus port of a process without the ingress (wowz run ...)")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or \
                    origin != f"{parts.scheme}://{parts.netloc}":
                raise ValueError(f"{origin!r} is not an origin: scheme://host[:port], no path "
                                 "or trailing slash (and no '*': list the origins)")
        return origins


class BrowserSettings(_Base):
    chromium_path: str | None = "/usr/lib/chromium/chromium"
    headless: bool = True
    chromium_args: list[str] = [
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
    profiles_dir: Path = Path("var/profiles")


class ProviderSettings(_Base):
    accounts_file: Path | None = Path("accounts.yaml")
    midjourney_url: str = "https://www.midjourney.com"
    midjourney_cdn_url: str = "https://cdn.midjourney.com"
    midjourney_refresh_margin_s: float = Field(
        300.0, description="refresh the id token this long before it expires")
    midjourney_recycle_after_jobs: int | None = Field(
        500, ge=1, description="restart an account's Chromium after this many jobs (between jobs)")
    midjourney_recycle_above_mb: int | None = Field(
        1500, ge=100, description="restart an account's Chromium, between jobs, when its "
                                  "processes' PSS is above this")
    chatgpt_url: str = Field(
        "https://chatgpt.com/g/g-682b4c8d88848191accff36501109e7e-wowz-ai-assistant-remix-design",
        description="the custom GPT that remixes designs; its origin is chatgpt.com's")
    ideogram_url: str = "https://ideogram.ai"
    ideogram_token_url: str | None = Field(
        None, description="token service of Ideogram accounts that name no token source; "
                          "{account} in it becomes the account id")
    poll_interval_s: float = 1.0
    poll_interval_fast_s: float = 0.1


class HookSettings(_Base):
    supabase_hook_secret: SecretStr | None = Field(
        None, description="the X-Wowz-Hook-Secret a Supabase Database Webhook sends")
    supabase_hook_maps: list[SupabaseJobMap] = Field(
        [], description="JSON list: which row changes make which jobs (README)")


class NotifierSettings(_Base):
    allow_private_urls: bool = False
    webhook_timeout_s: float = 15.0
    retry_delays_s: list[int] = [5, 30, 120, 600, 1800, 7200, 21600]


class Settings(_Base):
    env: Literal["development", "production"] = "development"
    log_level: str = "INFO"
    api_key: SecretStr | None = Field(None, description="for `wowz submit`")
    bus: BusSettings = Field(default_factory=BusSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    providers: ProviderSettings = Field(default_factory=ProviderSettings)
    notifier: NotifierSettings = Field(default_factory=NotifierSettings)
    hooks: HookSettings = Field(default_factory=HookSettings)

    @model_validator(mode="after")
    def _no_insecure_defaults_in_production(self) -> "Settings":
        if self.env != "production":
            return self
        problems = []
        if "guest:guest@" in self.bus.amqp_url.get_secret_value():
            problems.append("WOWZ_AMQP_URL uses the guest account")
        if self.notifier.allow_private_urls:
            problems.append("WOWZ_ALLOW_PRIVATE_URLS must be false")
        if self.http.public_url.startswith("http://127.") or "localhost" in self.http.public_url:
            problems.append("WOWZ_PUBLIC_URL must be the public address")
        if problems:
            raise ValueError("production settings: " + "; ".join(problems))
        return self
