"""A client's own provider token for one job, read from its request: `X-Provider-Token` (the
bearer token, `Bearer ` optional) and `X-Provider-User-Id` (the provider's user id of the
token's account, which Ideogram's sample body names; without it the account's own is used, as
for a token of that same account). On the seed's routes also the seed's way: a Bearer in
`Authorization` while the wowz key comes in `X-API-Key`. Read from headers, never from the body,
so that no body echo (a 422's `input`) or body log can show it."""

from fastapi import Request

from bus.provider_token import ProviderToken
from producers.http.errors import field_error

TOKEN = "X-Provider-Token"
USER_ID = "X-Provider-User-Id"
TOKEN_MAX = 8192
USER_ID_MAX = 128
# The providers whose adapters can run a job on the client's own token.
TAKES_TOKEN = frozenset({"ideogram"})


def provider_token(request: Request) -> ProviderToken | None:
    """The token of `X-Provider-Token`, or None; a 422 names the header that is wrong."""
    value = _bearer(request.headers.get(TOKEN))
    user_id = request.headers.get(USER_ID)
    if value is None:
        if user_id is not None:
            raise field_error(USER_ID, f"only with {TOKEN}")
        return None
    return _checked(value, user_id)


def seed_provider_token(request: Request) -> ProviderToken | None:
    """For the seed's routes: `X-Provider-Token`, else the seed clients' Ideogram token, a
    Bearer in `Authorization` that is not the wowz key given in `X-API-Key`."""
    token = provider_token(request)
    if token is not None:
        return token
    api_key = request.headers.get("x-api-key")
    value = _bearer(request.headers.get("authorization"))
    if not api_key or value is None or value == api_key:
        return None
    return _checked(value, None)


def check_provider(token: ProviderToken | None, provider: str) -> None:
    if token is not None and provider not in TAKES_TOKEN:
        raise field_error(TOKEN, f"{provider} jobs run on their accounts only; a job's own "
                                 f"token is taken for {', '.join(sorted(TAKES_TOKEN))}")


def _bearer(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, rest = header.strip().partition(" ")
    return (rest if scheme.lower() == "bearer" else header).strip() or None


def _checked(value: str, user_id: str | None) -> ProviderToken:
    # The token's text is never put in an error: errors are logged and shown.
    if len(value) > TOKEN_MAX or not value.isprintable() or " " in value:
        raise field_error(TOKEN, f"not a bearer token (at most {TOKEN_MAX} printable "
                                 "characters, no spaces)")
    if user_id is not None and not (0 < len(user_id) <= USER_ID_MAX and user_id.isprintable()):
        raise field_error(USER_ID, f"1-{USER_ID_MAX} printable characters")
    return ProviderToken(value, user_id)
