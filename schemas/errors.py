"""One error tree for the whole platform; every error has a stable code that the HTTP envelope
and the `wowz.job.failed` event carry."""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    bad_input = "bad_input"
    not_found = "not_found"
    unauthorized = "unauthorized"
    forbidden = "forbidden"
    conflict = "conflict"
    rate_limited = "rate_limited"
    auth_expired = "auth_expired"
    moderated = "moderated"
    captcha_required = "captcha_required"
    quota_exhausted = "quota_exhausted"
    timeout = "timeout"
    cancelled = "cancelled"
    provider_error = "provider_error"
    no_account = "no_account"
    bus_error = "bus_error"
    store_error = "store_error"
    delivery_error = "delivery_error"
    internal = "internal"


class WowzError(Exception):
    """Root of every error we raise on purpose. `retryable` says whether trying again may help."""

    code: ErrorCode = ErrorCode.internal
    retryable: bool = False

    def __init__(self, message: str, *, code: ErrorCode | None = None,
                 retryable: bool | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.details = details


class BadInput(WowzError):
    code = ErrorCode.bad_input


class ProviderError(WowzError):
    code = ErrorCode.provider_error
    retryable = True


class AuthExpired(ProviderError):
    """The account's credentials no longer work: the account is unhealthy, the job goes back."""

    code = ErrorCode.auth_expired


class RateLimited(ProviderError):
    code = ErrorCode.rate_limited

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Moderated(ProviderError):
    code = ErrorCode.moderated
    retryable = False


class BusError(WowzError):
    code = ErrorCode.bus_error
    retryable = True


class StoreError(WowzError):
    code = ErrorCode.store_error
    retryable = True


class DeliveryError(WowzError):
    code = ErrorCode.delivery_error
    retryable = True
