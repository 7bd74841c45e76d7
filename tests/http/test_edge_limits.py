"""Stories of what the edge of the ingress does for every request: browsers on origins not
allowed get no CORS grant, a request that takes too long is answered 504 (a body too slow to
arrive, 408) while streams and the seed's waits keep their own limits, and the request id is on
the answer and on the log lines written while serving it."""

import asyncio
import logging

import pytest

from schemas.events import Event, JobCompleted
from schemas.jobs import JobOutput
from tests.http.conftest import JOB, auth
from tests.http.test_events import quiet_job

pytestmark = pytest.mark.connected

APP = "https://app.example.com"
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"}


async def test_no_browser_origin_is_allowed_unless_listed(serve, clean_db, clean_bus, key):
    closed = await serve()
    preflight = await closed.client.options("/v1/jobs", headers={"Origin": APP, **PREFLIGHT})
    assert "access-control-allow-origin" not in preflight.headers
    plain = await closed.client.get("/v1/jobs", headers={"Origin": APP, **auth(key)})
    assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers

    listed = await serve(cors_origins=[APP])
    preflight = await listed.client.options("/v1/jobs", headers={"Origin": APP, **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["x-request-id"] and preflight.headers["x-frame-options"] == "DENY"
    plain = await listed.client.get("/v1/jobs", headers={"Origin": APP, **auth(key)})
    assert plain.headers["access-control-allow-origin"] == APP
    assert "x-request-id" in plain.headers["access-control-expose-headers"].lower()

    other = await listed.client.options("/v1/jobs", headers={"Origin": "https://evil.example",
                                                             **PREFLIGHT})
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers


async def test_a_request_stuck_past_the_timeout_gets_504_with_its_request_id_in_the_log(
        serve, clean_db, clean_bus, key, pool, caplog):
    api = await serve(request_timeout_s=0.3)
    async with pool.acquire() as conn, conn.transaction():
        # The database stalls: the key cannot be read until this transaction ends.
        await conn.execute("lock table api_keys in access exclusive mode")
        with caplog.at_level(logging.WARNING, logger="wowz.http"):
            response = await api.client.post("/v1/jobs", json=JOB, headers={
                **auth(key), "X-Request-Id": "n8n-exec-4711"})
    assert response.status_code == 504
    error = response.json()["error"]
    assert (error["code"], error["request_id"]) == ("timeout", "n8n-exec-4711")
    assert "not answered within 0.3 s" in error["message"] and "Idempotency-Key" in error["message"]
    assert response.headers["x-request-id"] == "n8n-exec-4711"
    [line] = [r for r in caplog.records if r.getMessage() == "request timed out"]
    assert (line.request_id, line.path) == ("n8n-exec-4711", "/v1/jobs")
    assert (await api.client.get("/v1/jobs", headers=auth(key))).status_code == 200


async def test_a_body_that_arrives_too_slowly_gets_408(serve, clean_db, clean_bus, key):
    api = await serve(request_timeout_s=0.3)

    async def trickle():
        yield b'{"provider": "midjourney", '
        await asyncio.sleep(0.5)
        yield b'"action": "imagine", "input": {"prompt": "a cat"}}'

    response = await api.client.post("/v1/jobs", content=trickle(), headers={
        **auth(key), "Content-Type": "application/json"})
    assert response.status_code == 408
    assert response.json()["error"]["message"] == "body: not received within 0.3 s"
    assert await clean_db.fetchval("select count(*) from jobs") == 0


async def test_a_live_event_stream_outlasts_the_request_timeout(
        serve, clean_db, clean_bus, key, publisher):
    api = await serve(request_timeout_s=0.4)
    job = await quiet_job(clean_db, key)
    async with api.client.stream("GET", f"/v1/jobs/{job['id']}/events",
                                 headers=auth(key)) as response:
        assert response.status_code == 200
        await asyncio.sleep(0.6)  # well past the timeout, the stream is still open
        await publisher.publish(Event.of(JobCompleted(
            job_id=job["id"], provider="midjourney", seq=1, output=JobOutput(text="done"))))
        text = await asyncio.wait_for(response.aread(), 5)
    assert b"event: wowz.job.completed" in text


async def test_a_seed_route_waiting_for_its_job_keeps_its_own_limit(
        serve, clean_db, clean_bus, key):
    api = await serve(request_timeout_s=0.4, seed_wait_s=0.8)
    response = await api.client.post("/api/genimageprompt", headers=auth(key),
                                     json={"prompt": "a fox, flat vector"})
    body = response.json()
    # The seed's own answer when its wait ends, not the edge's 504 envelope.
    assert response.status_code == 504 and body["success"] is False
    assert "still running after 0.8 s" in body["error"]
