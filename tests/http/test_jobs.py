"""A client submits, reads, lists and cancels jobs through /v1 with its API key."""

import asyncio

import pytest

from bus import topology
from bus.codec import from_message
from schemas.events import JobCancel, JobRequested
from store.keys import create_key
from tests.http.conftest import JOB, auth

pytestmark = pytest.mark.connected


async def test_a_job_submitted_with_a_key_is_queued_for_midjourney_and_readable_at_once(
        api, key, tap):
    response = await api.client.post("/v1/jobs", json={**JOB, "metadata": {"idea_id": "i-1"}},
                                     headers=auth(key))
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "pending" and job["input"]["prompt"] == "a cat in a teapot"
    assert response.headers["location"] == f"{api.url}/v1/jobs/{job['id']}"

    read = await api.client.get(f"/v1/jobs/{job['id']}", headers=auth(key))
    assert read.status_code == 200 and read.json() == job

    [(routing_key, event)] = await tap.take(1)
    provider_queue = topology.provider_queue("midjourney")
    assert routing_key in topology.service_queues(["midjourney"])[provider_queue]
    assert event.type == JobRequested.type and event.subject == job["id"]
    assert event.specversion == "1.0" and event.source == "wowz"
    assert event.data.job_id == job["id"] and event.data.requested_by == key.key.id
    assert event.data.input["options"]["chaos"] == 5  # the input as validated, defaults filled
    assert event.data.metadata == {"idea_id": "i-1"} and event.data.seq == 0


async def test_the_same_idempotency_key_twice_gives_one_job_and_one_message(api, key, tap):
    headers = {**auth(key), "Idempotency-Key": "order-42"}
    first = await api.client.post("/v1/jobs", json=JOB, headers=headers)
    again = await api.client.post("/v1/jobs", json=JOB, headers=headers)
    assert first.status_code == 202 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len(await tap.take(2, timeout_s=1.0)) == 1


async def test_concurrent_retries_with_one_idempotency_key_make_one_job(api, key, tap):
    headers = {**auth(key), "Idempotency-Key": "burst-7"}
    others = [api.client.post("/v1/jobs", json=JOB, headers=auth(key)) for _ in range(5)]
    retries = [api.client.post("/v1/jobs", json=JOB, headers=headers) for _ in range(5)]
    responses = await asyncio.gather(*others, *retries)
    assert all(r.status_code in (200, 202) for r in responses)
    assert len({r.json()["id"] for r in responses[5:]}) == 1
    assert sorted(r.status_code for r in responses[5:]) == [200, 200, 200, 200, 202]
    assert len({r.json()["id"] for r in responses}) == 6
    assert len(await tap.take(7, timeout_s=1.0)) == 6


async def test_the_x_api_key_header_works_like_a_bearer_token(api, key):
    response = await api.client.post("/v1/jobs", json=JOB, headers={"X-API-Key": key.api_key})
    assert response.status_code == 202, response.text


async def test_jobs_are_listed_newest_first_by_filter_over_pages(api, key, pool):
    ids = []
    for n in range(7):
        metadata = {"idea_id": "wanted"} if n % 3 else {"idea_id": "other"}
        response = await api.client.post("/v1/jobs", json={**JOB, "metadata": metadata},
                                         headers=auth(key))
        ids.append(response.json()["id"])
    wanted = [i for n, i in enumerate(ids) if n % 3][::-1]  # 4 jobs, newest first
    await pool.execute("update jobs set status = 'completed' where id = $1", wanted[0])

    seen, cursor, pages = [], None, 0
    while True:
        params = {"metadata.idea_id": "wanted", "provider": "midjourney", "limit": 2}
        response = await api.client.get("/v1/jobs", params={**params, **(
            {"cursor": cursor} if cursor else {})}, headers=auth(key))
        assert response.status_code == 200, response.text
        seen += [j["id"] for j in response.json()["data"]]
        cursor, pages = response.json()["next_cursor"], pages + 1
        if cursor is None:
            break
    assert seen == wanted and pages == 2

    seen, cursor, pages = [], None, 0
    while pages == 0 or cursor:
        params = {"status": "pending", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/v1/jobs", params=params, headers=auth(key))).json()
        seen += [j["id"] for j in page["data"]]
        cursor, pages = page["next_cursor"], pages + 1
    assert seen == [i for i in ids[::-1] if i != wanted[0]] and pages == 3


async def test_a_job_is_invisible_to_another_key(api, key, clean_db):
    other = await create_key(clean_db, name="someone else")
    job = (await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()

    read = await api.client.get(f"/v1/jobs/{job['id']}", headers=auth(other))
    assert read.status_code == 404 and read.json()["error"]["code"] == "not_found"
    listed = await api.client.get("/v1/jobs", headers=auth(other))
    assert listed.json() == {"data": [], "next_cursor": None}
    cancel = await api.client.delete(f"/v1/jobs/{job['id']}", headers=auth(other))
    assert cancel.status_code == 404


async def test_cancelling_a_job_publishes_a_cancel_request(api, key, amqp, pool):
    job = (await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()
    channel = await amqp.channel()
    listener = await topology.declare_listener(channel, ["job.cancel.#"])
    response = await api.client.delete(f"/v1/jobs/{job['id']}", headers=auth(key))
    assert response.status_code == 202 and response.json()["id"] == job["id"]

    message = await listener.get(timeout=5, no_ack=True)
    event = from_message(message)
    await channel.close()
    assert event.type == JobCancel.type and event.data.job_id == job["id"]
    assert message.routing_key == "job.cancel.midjourney"
    assert await pool.fetchval("select cancel_requested_at is not null from job_runs "
                               "where job_id = $1", job["id"])


async def test_cancelling_a_finished_job_is_a_conflict(api, key, pool):
    job = (await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()
    await pool.execute("update jobs set status = 'completed' where id = $1", job["id"])
    response = await api.client.delete(f"/v1/jobs/{job['id']}", headers=auth(key))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "completed" in response.json()["error"]["message"]


async def test_a_webhook_to_a_private_address_is_refused_unless_allowed(serve, key, clean_bus):
    strict = await serve(allow_private_urls=False)
    body = {**JOB, "webhook": {"url": "http://localhost:5678/webhook-waiting/1"}}
    refused = await strict.client.post("/v1/jobs", json=body, headers=auth(key))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["details"][0]["field"] == "webhook.url"
    assert "loopback" in error["details"][0]["problem"]

    lenient = await serve(allow_private_urls=True)
    accepted = await lenient.client.post("/v1/jobs", json=body, headers=auth(key))
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["webhook"]["url"] == "http://localhost:5678/webhook-waiting/1"
