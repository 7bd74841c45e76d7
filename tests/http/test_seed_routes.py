"""The rest of the seed's routes (Ideogram's /api/*, Midjourney's video and status, /gptgen),
posted with the seed's own bodies: each answers the seed's shape key by key and starts the
wowz job it stands for; a body missing what the seed required answers its error. The routes
the seed answered synchronously wait for their job's end on the bus: here a test plays the
provider by publishing the job's terminal event."""

import asyncio
import json

import pytest

from consumers.ideogram.adapter import IdeogramAdapter
from schemas.events import Event, JobCompleted, JobFailed
from schemas.jobs import Image, JobError, JobOutput
from store.accounts import save_account
from tests.http.conftest import auth

pytestmark = pytest.mark.connected

IMAGE = "https://example.com/design.png"


async def job_row(db, job_id: str):
    return await db.fetchrow("select provider, action, input, metadata from jobs where id = $1",
                             job_id)


async def test_remix_with_the_seeds_n8n_body_starts_an_ideogram_remix(api, key, clean_db):
    body = {"imageUrl": IMAGE, "prompt": "", "imageWeight": 70, "magicPrompt": "AUTO",
            "style": "AUTO", "promptSource": "AUTO", "idea_id": "idea-9"}
    response = await api.client.post("/api/remix", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"success", "jobId", "message"} and answer["success"] is True
    row = await job_row(clean_db, answer["jobId"])
    assert (row["provider"], row["action"]) == ("ideogram", "remix")
    assert row["input"]["image_weight"] == 70 and row["input"]["prompt_source"] == "AUTO"
    assert row["input"]["resolution"] == {"width": 800, "height": 1280}  # the seed's defaults
    assert row["input"]["num_images"] == 1 and row["input"]["model_version"] == "V_3_0"
    assert row["metadata"] == {"idea_id": "idea-9"}


async def test_variations_and_a_custom_generation_keep_the_seeds_defaults(api, key, clean_db):
    variations = await api.client.post("/api/generate-variations", json={
        "imageUrl": IMAGE, "idea_id": "idea-1", "user_id": "u-1"}, headers=auth(key))
    custom = await api.client.post("/api/gencustom", json={
        "imageId": "upl_123", "promptText": "the same, in blue", "idea_id": "idea-2"},
        headers=auth(key))
    for response in (variations, custom):
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"success", "jobId"}
    row = await job_row(clean_db, variations.json()["jobId"])
    assert row["action"] == "remix" and row["input"]["num_images"] == 4
    assert row["input"]["resolution"] == {"width": 832, "height": 1248}
    assert row["metadata"] == {"idea_id": "idea-1", "user_id": "u-1"}
    row = await job_row(clean_db, custom.json()["jobId"])
    assert row["action"] == "custom" and row["input"]["image_id"] == "upl_123"
    assert row["input"]["prompt"] == "the same, in blue" and row["input"]["parent_weight"] == 50


async def test_genvideo_by_post_or_get_starts_a_midjourney_video(api, key, clean_db):
    posted = await api.client.post("/midjourney/genvideo", json={
        "image_url": IMAGE, "text_prompt": "cinematic motion, smooth camera movement",
        "options": {"motion": "high", "ar": "16:9", "mode": "relaxed"}}, headers=auth(key))
    assert posted.status_code == 200, posted.text
    answer = posted.json()
    assert set(answer) == {"success", "message", "data", "jobId", "retryCount", "imageUrl",
                           "prompt", "timestamp"}
    assert answer["imageUrl"] == IMAGE and answer["data"]["jobId"] == answer["jobId"]
    row = await job_row(clean_db, answer["jobId"])
    assert (row["action"], row["input"]["motion"], row["input"]["mode"]) == \
        ("video", "high", "relax")
    assert row["input"]["prompt"] == "cinematic motion, smooth camera movement"
    got = await api.client.get("/midjourney/genvideo", params={"image_url": IMAGE},
                               headers=auth(key))
    assert (await job_row(clean_db, got.json()["jobId"]))["input"]["motion"] == "low"


async def test_midjourney_status_says_logged_in_when_an_account_is_healthy(api, key, clean_db):
    await clean_db.execute("delete from accounts")  # clean_db leaves the accounts' states
    nothing = (await api.client.get("/midjourney/status", headers=auth(key))).json()
    assert nothing == {"success": True, "isLoggedIn": False, "status": "stopped", "uptime": 0,
                       "accounts": []}
    view = {"id": "mj-main", "provider": "midjourney", "healthy": False,
            "reason": "auth_expired: cookie", "since": "2026-01-01T00:00:00+00:00",
            "running": 0, "jobs_today": 0, "concurrency": 3, "mode": "fast", "enabled": True}
    await save_account(clean_db, view)
    down = (await api.client.get("/midjourney/status", headers=auth(key))).json()
    assert (down["isLoggedIn"], down["status"]) == (False, "error")
    await save_account(clean_db, {**view, "healthy": True, "reason": None})
    up = (await api.client.get("/midjourney/status", headers=auth(key))).json()
    assert set(up) == {"success", "isLoggedIn", "status", "uptime", "accounts"}
    assert (up["isLoggedIn"], up["status"]) == (True, "running") and up["uptime"] > 0


MISSING = [  # (route, a body without what the seed required or with a bad value, status, field)
    ("/api/remix", {"prompt": "x"}, 400, "imageUrl"),
    ("/api/remix", {"imageUrl": IMAGE, "imageWeight": 170}, 400, "imageWeight"),
    ("/api/generate-variations", {"style": "AUTO"}, 400, "imageUrl"),
    ("/api/gencustom", {"imageId": "upl_1"}, 400, "promptText"),
    ("/api/upload", {}, 400, "imageUrl"),
    ("/api/caption", {}, 400, "uploadId"),
    ("/api/genimageprompt", {"num_images": 2}, 400, "prompt"),
    ("/api/upscale", {"request_id": "r", "response_id": "s"}, 400, "promptText"),
    ("/api/removebackground", {"asset_type": "RESPONSE"}, 400, "asset_id"),
    ("/gptgen", {"url": "https://chatgpt.com/g/g-1"}, 400, "prompt"),
    ("/midjourney/genvideo", {"text_prompt": "x"}, 422, "image_url"),
]


async def test_a_body_without_what_the_seed_required_answers_its_error(api, key):
    for path, body, status, field in MISSING:
        response = await api.client.post(path, json=body, headers=auth(key))
        assert response.status_code == status, path
        answer = response.json()
        assert set(answer) == {"success", "error"} and answer["success"] is False
        assert answer["error"].startswith(f"{field}:"), (path, answer["error"])


async def play_provider(api, key, tap, publisher, path, body, output=None, error=None):
    """POST a synchronous route; once its job is on the bus, publish how it ended."""
    posting = asyncio.create_task(api.client.post(path, json=body, headers=auth(key)))
    [(_, requested)] = await tap.take(1)
    job = requested.data
    ended = (JobCompleted(job_id=job.job_id, provider=job.provider, seq=3, output=output,
                          provider_job_id="req-1", account_id="acct-1") if error is None else
             JobFailed(job_id=job.job_id, provider=job.provider, seq=3, error=error))
    await publisher.publish(Event.of(ended))
    return job, await posting


async def test_upload_and_caption_answer_synchronously_once_their_jobs_end(
        api, key, tap, publisher):
    job, uploaded = await play_provider(api, key, tap, publisher, "/api/upload",
                                        {"imageUrl": IMAGE}, JobOutput(text="upl_42"))
    assert (job.action, job.input) == ("upload", {"image_url": IMAGE})
    assert uploaded.status_code == 200 and uploaded.json() == {"success": True,
                                                               "uploadId": "upl_42"}
    job, captioned = await play_provider(api, key, tap, publisher, "/api/caption",
                                         {"uploadId": "upl_42"},
                                         JobOutput(text="a fox, flat vector"))
    assert (job.action, job.input) == ("describe", {"image_id": "upl_42", "image_url": None})
    assert captioned.json() == {"success": True, "caption": "a fox, flat vector"}


def images(*response_ids: str) -> JobOutput:
    return JobOutput(images=[Image(url=f"http://files.test/{r}.png", index=i, response_id=r)
                             for i, r in enumerate(response_ids)], prompt="a teapot")


async def test_genimageprompt_then_upscale_and_cut_out_of_its_image(api, key, tap, publisher,
                                                                     clean_db):
    job, made = await play_provider(api, key, tap, publisher, "/api/genimageprompt",
                                    {"prompt": "a teapot", "num_images": 2},
                                    images("resp-a", "resp-b"))
    assert job.action == "generate" and job.input["resolution"] == {"width": 1312,
                                                                    "height": 736}
    assert made.json() == {"success": True, "data": {
        "jobId": job.job_id, "request_id": "req-1",
        "images": ["http://files.test/resp-a.png", "http://files.test/resp-b.png"],
        "responses": [{"response_id": "resp-a", "url": "http://files.test/resp-a.png"},
                      {"response_id": "resp-b", "url": "http://files.test/resp-b.png"}]}}
    # What the persister writes when the job completes (it does not run in these tests).
    await clean_db.execute("update jobs set status = 'completed', output = $2 where id = $1",
                           job.job_id, json.loads(images("resp-a", "resp-b").model_dump_json()))
    upscale, big = await play_provider(api, key, tap, publisher, "/api/upscale", {
        "request_id": "req-1", "response_id": "resp-b", "promptText": "a teapot"},
        images("resp-big"))
    assert (upscale.input["job_id"], upscale.input["index"]) == (job.job_id, 1)
    assert set(big.json()) == {"success", "result"}
    assert big.json()["result"]["images"] == ["http://files.test/resp-big.png"]
    cut, cut_out = await play_provider(api, key, tap, publisher, "/api/removebackground",
                                       {"asset_id": "resp-a"}, images("resp-cut"))
    assert (cut.action, cut.input["job_id"], cut.input["index"]) == \
        ("remove_background", job.job_id, 0)
    assert set(cut_out.json()) == {"success", "data"}
    unknown = await api.client.post("/api/removebackground", json={"asset_id": "resp-zz"},
                                    headers=auth(key))
    assert unknown.status_code == 404 and "asset_id" in unknown.json()["error"]


async def test_gptgen_answers_the_conversation_and_its_asset_pointers(api, key, tap, publisher):
    output = JobOutput(conversation_id="conv-1234abcd", text="Here it is",
                       images=[Image(url="http://files.test/g.png", index=0,
                                     provider_url="file-service://file-abc")])
    job, response = await play_provider(api, key, tap, publisher, "/gptgen", {
        "prompt": "remix this design", "imageUrl": IMAGE}, output)
    assert (job.provider, job.action) == ("chatgpt", "remix_design")
    assert job.input["prompt"] == "remix this design" and job.input["image_url"] == IMAGE
    answer = response.json()
    assert {"success", "conversationId", "assetPointers"} <= set(answer)
    assert answer["conversationId"] == "conv-1234abcd"
    assert answer["assetPointers"] == ["file-service://file-abc"]


async def test_a_failed_job_answers_the_seeds_error_with_its_job_id(api, key, tap, publisher):
    job, response = await play_provider(
        api, key, tap, publisher, "/api/upload", {"imageUrl": IMAGE},
        error=JobError(code="bad_input", message="input.image_url: not an image"))
    assert response.status_code == 400
    assert response.json() == {"success": False, "jobId": job.job_id,
                               "error": "input.image_url: not an image"}


async def test_past_the_wait_limit_the_answer_names_the_job_to_poll(serve, key, clean_bus):
    api = await serve(seed_wait_s=0.2)
    response = await api.client.post("/api/upload", json={"imageUrl": IMAGE},
                                     headers=auth(key))
    assert response.status_code == 504
    answer = response.json()
    assert answer["success"] is False and f"/api/job/{answer['jobId']}" in answer["error"]
    polled = await api.client.get(f"/api/job/{answer['jobId']}", headers=auth(key))
    assert polled.json()["isProcessing"] is True


async def test_a_caption_or_custom_of_an_upload_runs_on_the_uploading_account(
        api, key, tap, publisher, clean_db):
    job, _ = await play_provider(api, key, tap, publisher, "/api/upload", {"imageUrl": IMAGE},
                                 JobOutput(text="upl_7"))
    await clean_db.execute("update jobs set status = 'completed', account_id = 'ideo-2', "
                           "output = $2 where id = $1", job.job_id, {"text": "upl_7"})
    adapter = IdeogramAdapter(None, user_id="u", bucket="b")  # routing needs no session
    for action, job_input in (("describe", {"image_id": "upl_7"}),
                              ("custom", {"image_id": "upl_7", "prompt": "blue"})):
        asked = job.model_copy(update={"action": action, "input": job_input})
        assert await adapter.account_for(asked, clean_db) == "ideo-2"
    other = job.model_copy(update={"action": "describe", "input": {"image_id": "upl_8"}})
    assert await adapter.account_for(other, clean_db) is None
