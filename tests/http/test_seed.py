"""The seed system's routes, posted with the seed's own example bodies, answer its shapes."""

import pytest

pytestmark = pytest.mark.connected

GENIMAGE_KEYS = {"success", "message", "data", "jobId", "batchSize", "status", "retryCount",
                 "mode", "timestamp"}
JOB_KEYS = {"success", "jobId", "status", "createdAt", "updatedAt", "errorMessage", "images",
            "isComplete", "isFailed", "isProcessing"}


def auth(key) -> dict:
    return {"Authorization": f"Bearer {key.api_key}"}


async def test_genimage_with_the_seeds_body_starts_an_imagine_job(api, key, clean_db):
    body = {"prompt": "cute cat sticker, vector", "options": {
        "chaos": 5, "ar": "4:3", "stylize": 150, "weird": 200, "version": 7, "mode": "relax"},
        "idea_id": "idea-1", "design_id": "7d1a0d1e-3b58-4d0c-9f57-2f0b3a1f1e11",
        "user_id": "u-1"}
    response = await api.client.post("/midjourney/genimage", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == GENIMAGE_KEYS
    assert answer["success"] is True and answer["batchSize"] == 4 and answer["mode"] == "relax"
    assert answer["data"]["jobId"] == answer["jobId"]
    row = await clean_db.fetchrow("select provider, action, input, metadata from jobs "
                                  "where id = $1", answer["jobId"])
    assert (row["provider"], row["action"]) == ("midjourney", "imagine")
    assert row["input"]["options"]["version"] == "7"
    assert row["input"]["options"]["mode"] == "relax"
    assert row["metadata"] == {"idea_id": "idea-1", "design_id": body["design_id"],
                               "user_id": "u-1"}


async def test_genimage_as_a_get_with_query_parameters(api, key, clean_db):
    response = await api.client.get("/midjourney/genimage", params={
        "prompt": "a fox", "chaos": "20", "options.ar": "1:1"}, headers=auth(key))
    assert response.status_code == 200, response.text
    row = await clean_db.fetchrow("select input from jobs where id = $1",
                                  response.json()["jobId"])
    assert row["input"]["options"]["chaos"] == 20 and row["input"]["options"]["ar"] == "1:1"


async def test_seed_routes_answer_errors_in_the_seeds_shape(api, key):
    missing = await api.client.post("/midjourney/genimage", json={"options": {}},
                                    headers=auth(key))
    assert missing.status_code == 422
    assert missing.json() == {"success": False, "error": missing.json()["error"]}
    assert "prompt" in missing.json()["error"]
    out_of_range = await api.client.post("/midjourney/genimage", json={
        "prompt": "x", "options": {"chaos": 500}}, headers=auth(key))
    assert "input.options.chaos" in out_of_range.json()["error"]
    unknown = await api.client.get("/api/job/no-such-job", headers=auth(key))
    assert unknown.status_code == 404 and unknown.json()["success"] is False
    no_key = await api.client.post("/midjourney/genimage", json={"prompt": "x"})
    assert no_key.status_code == 401 and no_key.json()["success"] is False


async def test_api_job_answers_the_seeds_shape_for_any_job(api, key):
    started = await api.client.post("/midjourney/genimage", json={"prompt": "no idea id"},
                                    headers=auth(key))
    response = await api.client.get(f"/api/job/{started.json()['jobId']}", headers=auth(key))
    answer = response.json()
    assert set(answer) == JOB_KEYS
    assert answer["status"] == "pending" and answer["isProcessing"] is True
    assert answer["images"] == [] and answer["isComplete"] is False


async def test_health_also_answers_the_seeds_fields(api, key):
    await api.client.get("/v1/jobs/unknown", headers=auth(key))
    health = (await api.client.get("/health")).json()
    for field in ("status", "uptime", "totalRequests", "successfulRequests", "failedRequests",
                  "successRate", "lastRequest", "lastError", "timestamp"):
        assert field in health
    assert health["failedRequests"] >= 1 and health["lastError"].startswith("404 GET")


async def test_the_asyncapi_document_is_served_without_a_cdn(api):
    document = (await api.client.get("/docs/asyncapi.json")).json()
    assert document["asyncapi"].startswith("3.")
    assert document["channels"]["job_requested_midjourney"]["address"] == \
        "job.requested.midjourney"
    assert "input_midjourney_imagine" in document["components"]["schemas"]
    page = await api.client.get("/docs/asyncapi")
    assert page.status_code == 200 and "job.completed.midjourney" in page.text
    assert "<script" not in page.text and 'src="http' not in page.text  # nothing fetched
