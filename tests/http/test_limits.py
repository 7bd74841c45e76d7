"""Stories of a client sending too much: past its key's request rate, or with too many jobs
still running, it is told 429, why, and when to come back; other keys are not held back. The
rate is one across ingress replicas when they share Redis."""

import asyncio
import os

import pytest
import redis.asyncio as aioredis

from producers.http.limits import KeyLimits, LimitDefaults
from store.keys import create_key
from tests.conftest import unavailable
from tests.http.conftest import JOB, auth

pytestmark = pytest.mark.connected

TEST_REDIS = os.environ.get("WOWZ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis_url() -> str:
    client = aioredis.from_url(TEST_REDIS)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as exc:
        unavailable("Redis", exc)
    finally:
        await client.aclose()
    return TEST_REDIS


async def statuses(client, path: str, new_key, count: int) -> list[int]:
    return [(await client.get(path, headers=auth(new_key))).status_code for _ in range(count)]


def assert_rate_limited(response, message_part: str) -> None:
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and message_part in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    assert int(response.headers["retry-after"]) >= 1


async def test_a_key_past_its_request_rate_is_told_to_retry_later_and_others_are_not(
        serve, clean_db, clean_bus):
    api = await serve(limits=KeyLimits(clean_db, LimitDefaults(requests_per_s=0.5, burst=3)))
    busy = await create_key(clean_db, name="busy n8n")  # the defaults: 3 at once, then 1 / 2 s
    roomy = await create_key(clean_db, name="batch importer", rate_limit_per_s=100,
                             rate_limit_burst=100)

    assert await statuses(api.client, "/v1/jobs", busy, 3) == [200, 200, 200]
    refused = await api.client.get("/v1/jobs", headers=auth(busy))
    assert_rate_limited(refused, "0.5 requests/s (bursts of 3)")
    assert int(refused.headers["retry-after"]) in (1, 2)  # a token every 2 s
    assert (await api.client.post("/v1/jobs", json=JOB, headers=auth(busy))).status_code == 429
    assert await statuses(api.client, "/v1/jobs", roomy, 10) == [200] * 10


async def test_dashboard_pages_count_toward_the_keys_rate(serve, clean_db, clean_bus):
    api = await serve(limits=KeyLimits(clean_db, LimitDefaults(requests_per_s=0.5, burst=2)))
    viewer = await create_key(clean_db, name="ops", scopes=("read",))
    api.client.cookies.set("wowz_key", viewer.api_key)  # as the login form leaves it
    pages = [(await api.client.get(path)).status_code for path in ("/", "/ui/jobs/no-such-job")]
    assert pages == [200, 404]
    refused = await api.client.get("/")
    assert_rate_limited(refused, "0.5 requests/s (bursts of 2)")


async def test_two_ingress_replicas_share_a_keys_rate_through_redis(
        serve, clean_db, clean_bus, redis_url):
    key = await create_key(clean_db, name="n8n", rate_limit_per_s=0.2, rate_limit_burst=4)
    replicas = [await serve(limits=KeyLimits(clean_db, redis_url=redis_url)) for _ in (1, 2)]

    answered = [await statuses(r.client, "/v1/jobs", key, 2) for r in replicas]
    assert answered == [[200, 200], [200, 200]]
    for replica in replicas:
        assert_rate_limited(await replica.client.get("/v1/jobs", headers=auth(key)),
                            "0.2 requests/s (bursts of 4)")


async def test_with_redis_away_each_replica_still_limits_on_its_own(serve, clean_db, clean_bus):
    key = await create_key(clean_db, name="n8n", rate_limit_per_s=0.2, rate_limit_burst=2)
    api = await serve(limits=KeyLimits(clean_db, redis_url="redis://127.0.0.1:9/0"))

    assert await statuses(api.client, "/v1/jobs", key, 3) == [200, 200, 429]


async def test_a_key_at_its_limit_of_jobs_in_flight_may_submit_again_once_one_ends(
        serve, clean_db, clean_bus):
    api = await serve(limits=KeyLimits(clean_db, LimitDefaults(jobs_in_flight=50),
                                       in_flight_ttl_s=0.05))
    key = await create_key(clean_db, name="n8n", max_jobs_in_flight=2)
    first, second = [await api.client.post("/v1/jobs", json=JOB, headers=auth(key))
                     for _ in (1, 2)]
    assert (first.status_code, second.status_code) == (202, 202)

    refused = await api.client.post("/v1/jobs", json=JOB, headers=auth(key))
    assert_rate_limited(refused, "this API key has 2 jobs pending or processing, its limit is 2")
    seed = await api.client.post("/midjourney/genimage", json={"prompt": "a cat"},
                                 headers=auth(key))
    assert seed.status_code == 429 and "jobs in flight" in seed.json()["error"]

    await clean_db.execute("update jobs set status = 'completed' where id = $1",
                           first.json()["id"])
    for _ in range(100):
        again = await api.client.post("/v1/jobs", json=JOB, headers=auth(key))
        if again.status_code != 429:
            break
        await asyncio.sleep(0.02)
    assert again.status_code == 202
    assert await clean_db.fetchval("select count(*) from jobs where api_key_id = $1 and "
                                   "status = 'pending'", key.key.id) == 2
