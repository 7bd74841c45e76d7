"""Nobody gets in without a valid key of the right scope: every route of the app that takes a
key, walked from the app itself (a new route is covered the day it is added), refuses a
missing, wrong, revoked and scopeless key with 401/403 in the error envelope, and nothing
reaches the bus or the jobs table."""

import asyncio
import re

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from producers.http.errors import SEED_PATHS
from store.keys import create_key
from tests.abuse.conftest import bearer, unserved_app

pytestmark = pytest.mark.connected

# Open on purpose: health, docs, public files, the dashboard's login and assets, and the
# Supabase hook (it has its own secret header; tested in tests/http/test_hooks.py).
PUBLIC = {"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json",
          "/docs/asyncapi", "/docs/asyncapi.json", "/files/{bucket}/{path:path}", "/ui/login",
          "/ui/logout", "/ui/static/{name}", "/v1/hooks/supabase"}
PARAMS = {"letter_id": "0" * 20, "path:path": "a/b.png"}
# A body that would start a job on any route that forgot to ask for a key.
BODY = {"provider": "midjourney", "action": "imagine", "input": {"prompt": "a fox"},
        "prompt": "a fox", "image_url": "https://example.com/fox.png"}


def keyed_routes() -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(unserved_app().routes):
        if route.path in PUBLIC:
            continue
        params = {**PARAMS, "verb": "disable" if "/accounts/" in route.path else "requeue"}
        url = re.sub(r"\{([^}]+)\}", lambda m, p=params: p.get(m.group(1), "x1"), route.path)
        found += [(method, url) for method in sorted(route.methods - {"HEAD"})]
    return found


ROUTES = keyed_routes()


@pytest.fixture(scope="module")
async def presented(keys, pool) -> dict[str, dict[str, str]]:
    scopeless = await create_key(pool, name="abuse: no scope", scopes=())
    return {"none": {}, "wrong": {"Authorization": "Bearer wowz_not-a-key"},
            "revoked": {"X-API-Key": keys.revoked.api_key}, "scopeless": bearer(scopeless)}


async def test_every_keyed_route_refuses_who_has_no_valid_key(threaded_ingress, presented,
                                                              bus_tap, pool):
    jobs_before = await pool.fetchval("select count(*) from jobs")
    asks = [(method, url, who, headers) for method, url in ROUTES
            for who, headers in presented.items()]
    async with httpx.AsyncClient(base_url=threaded_ingress.url, timeout=30) as client:
        answers = await asyncio.gather(*(
            client.request(method, url, headers=headers, json=BODY if method == "POST" else None)
            for method, url, _, headers in asks))
    refused = [(*ask[:3], answer) for ask, answer in zip(asks, answers, strict=True)]

    for method, url, who, answer in refused:
        what = f"{method} {url} with {who} key"
        if url == "/" or url.startswith("/ui/"):  # the dashboard: a browser goes to the login
            assert answer.status_code == 303, what
            assert answer.headers["location"].startswith("/ui/login"), what
            continue
        expected = 403 if who == "scopeless" else 401
        assert answer.status_code == expected, f"{what}: {answer.status_code} {answer.text}"
        if url.startswith(SEED_PATHS):
            assert answer.json()["success"] is False, what
        else:
            error = answer.json()["error"]
            assert error["code"] == ("forbidden" if expected == 403 else "unauthorized"), what
            assert error["request_id"] == answer.headers["x-request-id"], what
    assert len(refused) == len(ROUTES) * len(presented) > 100
    assert await bus_tap.get(fail=False) is None, "something was published"
    assert await pool.fetchval("select count(*) from jobs") == jobs_before
