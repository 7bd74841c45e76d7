"""`/v1/accounts`: the provider accounts as their services last wrote them, and an operator's
switch: a disabled account takes no new jobs (the running ones finish) until it is enabled
again, at once and without a restart. Platform-wide, so behind the `admin` scope."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from producers.http.auth import requires
from producers.http.errors import ApiError
from producers.http.ingress import Ingress, ingress
from producers.http.routes_jobs import ERRORS
from schemas.accounts import AccountList, AccountView
from schemas.errors import ErrorCode
from schemas.events import AccountControl, Event
from store import accounts
from store.keys import ApiKey

log = logging.getLogger("wowz.http")
router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

AccountId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Admin = Annotated[ApiKey, Depends(requires("admin"))]
Shared = Annotated[Ingress, Depends(ingress)]


async def switch(ingress: Ingress, key: ApiKey, account_id: str, *,
                 enabled: bool) -> AccountView:
    """Kept in the accounts table (a service starting later reads it), then told to every
    service running the account."""
    row = await accounts.switch(ingress.pool, account_id, enabled=enabled, by=key.id)
    if row is None:
        raise ApiError(404, ErrorCode.not_found,
                       f"no account {account_id} (no provider service has reported it)")
    if enabled and not row["configured"]:
        raise ApiError(409, ErrorCode.conflict, f"account {account_id} is disabled in its "
                       "accounts file (enabled: false): enable it there and restart its service")
    await ingress.publisher.publish(Event.of(AccountControl(
        account_id=account_id, provider=row["provider"], enabled=enabled, by=key.id)))
    log.info("account %s", "enabled" if enabled else "disabled",
             extra={"account": account_id, "key_id": key.id})
    return AccountView(**row)


@router.get("", response_model=AccountList, responses=ERRORS)
async def list_accounts(_: Admin, ingress: Shared,
                        provider: Annotated[str | None, Query(max_length=64)] = None,
                        ) -> AccountList:
    """Health (and why), jobs running against the concurrency, jobs today against the cap."""
    return AccountList(data=await accounts.list_accounts(ingress.pool, provider=provider))


@router.post("/{account_id}/disable", response_model=AccountView, responses=ERRORS)
async def disable(account_id: AccountId, key: Admin, ingress: Shared) -> AccountView:
    """No new jobs for this account; the ones it runs finish."""
    return await switch(ingress, key, account_id, enabled=False)


@router.post("/{account_id}/enable", response_model=AccountView, responses=ERRORS)
async def enable(account_id: AccountId, key: Admin, ingress: Shared) -> AccountView:
    """Takes jobs again (once healthy). 409 for an account disabled in its accounts file."""
    return await switch(ingress, key, account_id, enabled=True)
