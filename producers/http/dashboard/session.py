"""Who looks at the dashboard: the API key from the login cookie, or the API's headers."""

from fastapi import Request, Response

from producers.http.auth import presented_key
from store.keys import ApiKey

COOKIE = "wowz_key"
MAX_AGE_S = 7 * 24 * 3600


async def viewer(request: Request) -> ApiKey | None:
    """The live key presented, if it may read; else None (then the page sends the browser to
    the login). A page counts toward the key's request rate as an API call does (429 past it)."""
    presented = presented_key(request) or request.cookies.get(COOKIE)
    if not presented:
        return None
    ingress = request.app.state.ingress
    key = await ingress.keys.find(presented)
    if key is None or "read" not in key.scopes:
        return None
    await ingress.limits.check_rate(key)
    return key


def remember(response: Response, request: Request, api_key: str) -> None:
    # HttpOnly: no script reads it; Strict: no other site's page can make the browser use it
    # (the dashboard's forms need no CSRF token then).
    response.set_cookie(COOKIE, api_key, max_age=MAX_AGE_S, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
