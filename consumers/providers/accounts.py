"""Accounts: where their credentials are, how many jobs they take at once, and their health."""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Account(BaseModel):
    """One provider account as configured. Credentials stay in their file, never in here."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    provider: str
    credentials: Path | None = Field(None, description="cookies.json (seed format) or token file")
    user_id: str | None = Field(None, description="the provider's user id, when not in the token")
    token: SecretStr | None = Field(None, description="a static bearer token (Ideogram)")
    token_url: str | None = Field(None, description="a token service answering "
                                  '{"access_token","expires_in"} (Ideogram)')
    concurrency: int = Field(3, ge=1, le=15)
    mode: Literal["fast", "relax", "turbo"] = "fast"
    daily_cap: int | None = Field(None, ge=1)
    enabled: bool = True


def load_accounts(path: Path) -> list[Account]:
    """Read `accounts.yaml` (or .json): a list of accounts, or `{"accounts": [...]}`.
    Relative credential paths are relative to the file."""
    data = yaml.safe_load(path.read_text()) if path.suffix in (".yaml", ".yml") else json.loads(
        path.read_text())
    items = data.get("accounts", []) if isinstance(data, dict) else data or []
    accounts = [Account.model_validate(item) for item in items]
    for account in accounts:
        if account.credentials and not account.credentials.is_absolute():
            account.credentials = path.parent / account.credentials
    ids = [a.id for a in accounts]
    if len(ids) != len(set(ids)):
        raise ValueError(f"accounts: duplicate ids in {path}")
    secrets = [a.credentials for a in accounts if a.credentials and a.credentials.exists()]
    if any(a.token for a in accounts):
        secrets.append(path)  # static tokens are written in it
    for secret in secrets:
        _private_to_the_service_user(secret)
    return accounts


def _private_to_the_service_user(path: Path) -> None:
    """Credentials other users can read are refused, as ssh refuses such a private key."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ValueError(f"{path}: holds credentials but other users may read it "
                         f"(mode {mode:o}); make it readable by the service user only: "
                         f"chmod 600 {path}")


def read_cookies(path: Path) -> list[dict]:
    """The seed's cookies.json: a list of {name, value, domain, path, ...}."""
    cookies = json.loads(path.read_text())
    if not isinstance(cookies, list) or not all("name" in c and "value" in c for c in cookies):
        raise ValueError(f"{path}: expected a list of cookies with name and value")
    return cookies


@dataclass
class AccountState:
    """What `GET /v1/accounts` shows: health (and why, since when), load, jobs today."""

    account: Account
    healthy: bool = True
    reason: str | None = None
    since: datetime = field(default_factory=lambda: datetime.now(UTC))
    running: int = 0
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    jobs_today: int = 0
    disabled: bool = False  # by an operator, at runtime (`enabled` is the accounts file's)

    def set_health(self, healthy: bool, reason: str | None = None) -> bool:
        """Returns True when the health changed."""
        changed = healthy != self.healthy
        if changed:
            self.since = datetime.now(UTC)
        self.healthy, self.reason = healthy, reason
        return changed

    def count_job(self) -> None:
        now = datetime.now(UTC).date()
        if now != self.today:
            self.today, self.jobs_today = now, 0
        self.jobs_today += 1

    @property
    def capped(self) -> bool:
        cap = self.account.daily_cap
        return cap is not None and self.jobs_today >= cap and self.today == datetime.now(UTC).date()

    def view(self) -> dict:
        return {"id": self.account.id, "provider": self.account.provider,
                "healthy": self.healthy, "reason": self.reason, "since": self.since.isoformat(),
                "concurrency": self.account.concurrency, "running": self.running,
                "jobs_today": self.jobs_today, "mode": self.account.mode,
                "enabled": self.account.enabled, "daily_cap": self.account.daily_cap,
                "disabled": self.disabled}
