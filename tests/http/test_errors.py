"""Whatever goes wrong, the client gets one envelope that names the bad field, and never our
internals."""

import asyncio

import pytest

from store import db
from store.keys import create_key, revoke_key
from tests.conftest import TEST_DB
from tests.http.conftest import JOB, auth

pytestmark = pytest.mark.connected


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "status", "details", "request_id"}
    assert error["status"] == status and error["request_id"] == response.headers["x-request-id"]
    return error


async def test_no_key_a_wrong_key_or_a_revoked_key_is_401(api, clean_db):
    revoked = await create_key(clean_db, name="former client")
    await revoke_key(clean_db, revoked.key.id)
    for headers in ({}, {"Authorization": "Bearer wowz_not-a-key"}, {"X-API-Key": "nope"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}, auth(revoked)):
        response = await api.client.post("/v1/jobs", json=JOB, headers=headers)
        error = error_of(response, 401)
        assert error["code"] == "unauthorized", headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert (await api.client.get("/v1/jobs", headers=headers)).status_code == 401


async def test_a_key_revoked_while_cached_stops_working_after_the_cache_time(serve, key,
                                                                              clean_db):
    cached = await serve(api_key_cache_s=0.3)
    assert (await cached.client.get("/v1/jobs", headers=auth(key))).status_code == 200
    await revoke_key(clean_db, key.key.id)
    await asyncio.sleep(0.4)
    assert (await cached.client.get("/v1/jobs", headers=auth(key))).status_code == 401


async def test_a_read_only_key_cannot_submit(api, clean_db):
    reader = await create_key(clean_db, name="dashboard", scopes=("read",))
    error = error_of(await api.client.post("/v1/jobs", json=JOB, headers=auth(reader)), 403)
    assert error["code"] == "forbidden" and "submit" in error["message"]


@pytest.mark.parametrize(("change", "field", "problem"), [
    ({"input": {"prompt": ""}}, "input.prompt", "at least 1 character"),
    ({"input": {"prompt": "x" * 4001}}, "input.prompt", "at most 4000 characters"),
    ({"input": {}}, "input.prompt", "Field required"),
    ({"input": {"prompt": "cat", "options": {"chaos": 101}}}, "input.options.chaos",
     "less than or equal to 100"),
    ({"action": "paint"}, "action", "unknown provider/action 'midjourney/paint'"),
    ({"provider": "dall-e"}, "action", "unknown provider/action 'dall-e/imagine'"),
    ({"webhook": {"url": "ftp://example.com/hook"}}, "webhook.url", "must be http or https"),
    ({"webhook": {"url": "https://user:pw@example.com/hook"}}, "webhook.url", "credentials"),
    ({"timeout_s": 1}, "timeout_s", "greater than or equal to 10"),
    ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ({"input": {"prompt": "a\u0000cat"}}, "input", "NUL character"),
    ({"metadata": {"note": "\u0000"}}, "metadata", "NUL character"),
])
async def test_bad_input_is_refused_naming_the_field(api, key, change, field, problem):
    error = error_of(await api.client.post("/v1/jobs", json={**JOB, **change},
                                           headers=auth(key)), 422)
    assert error["code"] == "bad_input"
    assert error["details"][0]["field"] == field
    assert problem in error["details"][0]["problem"]
    assert error["message"].startswith(f"{field}: ")


async def test_a_bad_submission_publishes_nothing(api, key, tap):
    await api.client.post("/v1/jobs", json={**JOB, "input": {"prompt": ""}}, headers=auth(key))
    assert await tap.take(1, timeout_s=0.3) == []


async def test_malformed_json_is_400_and_every_bad_query_names_its_parameter(api, key):
    error = error_of(await api.client.post(
        "/v1/jobs", content=b'{"provider": ', headers={**auth(key),
                                                      "content-type": "application/json"}), 400)
    assert error["details"][0]["field"] == "body" and "malformed JSON" in error["message"]

    for params, field in (({"status": "lost"}, "status"), ({"limit": 0}, "limit"),
                          ({"cursor": "yesterday"}, "cursor")):
        error = error_of(await api.client.get("/v1/jobs", params=params, headers=auth(key)), 422)
        assert error["details"][0]["field"] == field


async def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(api, key):
    big = {**JOB, "metadata": {"notes": "x" * 30_000}}
    error_of(await api.client.post("/v1/jobs", json=big, headers=auth(key)), 413)

    async def chunks():  # no Content-Length: the ingress has to count
        for _ in range(30):
            yield b" " * 1000

    response = await api.client.post("/v1/jobs", content=chunks(), headers={
        **auth(key), "content-type": "application/json"})
    assert "larger than the limit of 20000 bytes" in error_of(response, 413)["message"]


async def test_an_unknown_route_is_a_404_envelope_with_security_headers(api):
    response = await api.client.get("/v2/nothing", headers={"X-Request-Id": "trace-1"})
    error = error_of(response, 404)
    assert error["code"] == "not_found" and error["request_id"] == "trace-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert error_of(await api.client.put("/health"), 405)["code"] == "bad_input"


async def test_a_database_outage_answers_500_without_internals(serve, key):
    broken = await db.create_pool(TEST_DB, min_size=1, max_size=1)
    await broken.close()
    api = await serve(pool=broken)
    response = await api.client.get("/v1/jobs", headers=auth(key))
    error = error_of(response, 500)
    assert error == {"code": "internal", "message": "internal error", "status": 500,
                     "details": None, "request_id": response.headers["x-request-id"]}
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/v1/jobs?provider=mid%00journey", "/v1/accounts?provider=%00",
                                  "/v1/jobs?status=pending&account_id=a%00"])
async def test_a_nul_in_a_query_parameter_is_refused_naming_the_parameter(api, clean_db, path):
    admin = await create_key(clean_db, name="operator", scopes=("read", "admin"))
    error = error_of(await api.client.get(path, headers=auth(admin)), 422)
    assert error["code"] == "bad_input" and "NUL character" in error["message"]
    assert error["message"].startswith("query." + path.rsplit("&", 1)[-1].split("?")[-1]
                                       .split("=")[0] + ":")
