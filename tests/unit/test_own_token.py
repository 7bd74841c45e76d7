"""A client's own provider token: sealed for the bus with the shared key, read from the
request's headers (and, on the seed's routes, the seed's way)."""

import pytest
from starlette.requests import Request

from bus.provider_token import ProviderToken, TokenSeal
from producers.http.errors import ApiError
from producers.http.provider_token import provider_token, seed_provider_token

pytestmark = pytest.mark.unit

TOKEN = "eyJhbGciOi.client-token"


def request(**headers: str) -> Request:
    return Request({"type": "http", "headers": [
        (name.lower().replace("_", "-").encode(), value.encode())
        for name, value in headers.items()]})


def test_a_sealed_token_opens_with_the_same_key_only():
    sealed = TokenSeal("shared key").seal(ProviderToken(TOKEN, "user-7"))
    assert TOKEN not in sealed
    assert TokenSeal("shared key").open(sealed) == ProviderToken(TOKEN, "user-7")
    with pytest.raises(ValueError, match="WOWZ_PROVIDER_TOKEN_KEY"):
        TokenSeal("another key").open(sealed)


def test_a_token_is_never_shown_in_its_repr():
    assert TOKEN not in repr(ProviderToken(TOKEN, "user-7"))


def test_a_malformed_token_header_is_refused_without_echoing_it():
    with pytest.raises(ApiError) as refused:
        provider_token(request(X_Provider_Token="two words\x7f"))
    assert refused.value.message.startswith("X-Provider-Token: not a bearer token")
    assert "words" not in refused.value.message


def test_the_seed_routes_read_the_ideogram_bearer_beside_the_wowz_key():
    found = seed_provider_token(request(X_API_Key="wowz_key", Authorization=f"Bearer {TOKEN}"))
    assert found == ProviderToken(TOKEN)
    # the wowz key alone, in either header, carries no provider token
    assert seed_provider_token(request(Authorization="Bearer wowz_key")) is None
    assert seed_provider_token(request(X_API_Key="wowz_key",
                                       Authorization="Bearer wowz_key")) is None
    # X-Provider-Token wins over the seed's way
    assert seed_provider_token(request(X_API_Key="k", Authorization="Bearer other",
                                       X_Provider_Token=TOKEN)) == ProviderToken(TOKEN)
