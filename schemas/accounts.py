"""A provider account as the API shows it (`GET /v1/accounts`)."""

from datetime import datetime

from pydantic import BaseModel, Field


class AccountView(BaseModel):
    id: str
    provider: str
    healthy: bool
    reason: str | None = Field(None, description="why it is unhealthy")
    since: datetime = Field(description="when its health last changed")
    running: int = Field(description="jobs running on it now")
    concurrency: int
    jobs_today: int
    daily_cap: int | None
    mode: str
    enabled: bool = Field(description="may take jobs: enabled in the accounts file and not "
                                      "disabled by an operator")
    configured: bool = Field(description="enabled in the accounts file")
    disabled_at: datetime | None = Field(description="when an operator disabled it")
    disabled_by: str | None = Field(description="the API key id of that operator")
    updated_at: datetime = Field(description="when its service last wrote this")


class AccountList(BaseModel):
    data: list[AccountView]
