"""The actions on a finished job (vary, upscale, pan, outpaint, video), describe, the token
refresh and the "action needed" page of the Midjourney stand-in."""

from __future__ import annotations

import base64
import json

import pytest

from tests.sandbox.conftest import imagine_body

pytestmark = pytest.mark.unit


async def _done(session, prompt="a cat --ar 1:1") -> str:
    job_id = await session.imagine(prompt)
    await session.wait_until_done(job_id)
    return job_id


def _action(session, t: str, **fields):
    body = imagine_body(session.user_id, "", t=t, **fields)
    del body["prompt"]
    return session.http.post("/api/submit-jobs", json=body)


async def test_vary_upscale_pan_and_zoom_make_child_jobs_of_a_finished_grid_image(sign_in):
    session = await sign_in("mj-1")
    parent = await _done(session)

    vary = await _action(session, "vary", id=parent, index=2, strong=True)
    upscale = await _action(session, "upscale", id=parent, index=1, type="v7_2x_subtle")
    pan = await _action(session, "pan", id=parent, index=0, direction="left")
    zoom = await _action(session, "outpaint", id=parent, index=3, zoomFactor=2)

    jobs = {}
    for name, response in (("vary", vary), ("upscale", upscale), ("pan", pan),
                           ("outpaint", zoom)):
        assert response.status_code == 200, response.text
        (jobs[name],) = response.json()["success"]
    assert jobs["upscale"]["meta"] == {"width": 256, "height": 256, "batch_size": 1}
    assert jobs["pan"]["meta"]["width"] == 192
    assert jobs["vary"]["event_type"] == "variation"
    statuses = await session.status(*(job["job_id"] for job in jobs.values()))
    assert {status["parent_id"] for status in statuses} == {parent}


async def test_actions_refuse_unfinished_foreign_and_malformed_parents(sign_in):
    session = await sign_in("mj-1")
    other = await sign_in("mj-2")
    running = await session.imagine("a cat")
    unfinished = await _action(session, "vary", id=running, index=0, strong=False)
    finished = await _done(other)

    foreign = await _action(session, "vary", id=finished, index=0, strong=False)
    bad_index = await _action(other, "upscale", id=finished, index=4, type="v7_2x_subtle")
    bad_type = await _action(other, "upscale", id=finished, index=0, type="huge")
    bad_zoom = await _action(other, "outpaint", id=finished, index=0, zoomFactor=3)

    assert unfinished.status_code == 400 and foreign.status_code == 404
    assert [r.json()["error"] for r in (bad_index, bad_type, bad_zoom)] == [
        "bad index", "bad type", "bad zoomFactor"]


async def test_a_video_of_a_grid_image_serves_four_mp4_clips_from_the_cdn(sign_in, cdn):
    session = await sign_in("mj-1")
    parent = await _done(session)

    response = await _action(session, "video", videoType="vid_1.1_i2v_480",
                             animateMode="auto", parentJob={"job_id": parent, "image_num": 1},
                             newPrompt="--motion high")
    (job,) = response.json()["success"]
    before = await cdn.get(f"/video/{job['job_id']}/0.mp4")
    await session.wait_until_done(job["job_id"])
    clips = [await cdn.get(f"/video/{job['job_id']}/{i}.mp4") for i in range(4)]

    assert before.status_code == 404
    assert all(c.status_code == 200 and c.content[4:8] == b"ftyp" for c in clips)
    assert clips[0].headers["content-type"] == "video/mp4"
    assert len({c.content for c in clips}) == 4


async def test_a_video_from_an_image_url_needs_the_url_first_in_the_prompt(sign_in):
    session = await sign_in("mj-1")
    fields = {"videoType": "vid_1.1_i2v_480", "animateMode": "manual"}

    from_url = await _action(session, "video", newPrompt="https://s.mj.run/abc waves", **fields)
    no_image = await _action(session, "video", newPrompt="waves", **fields)

    assert from_url.status_code == 200 and from_url.json()["success"]
    assert no_image.status_code == 400 and no_image.json()["error"] == "no image"


async def test_describe_answers_four_prompts_for_an_uploaded_image(sign_in, sandbox):
    session = await sign_in("mj-1")
    upload = await session.http.post(
        "/api/storage-upload-file", files={"file": ("a.png", b"\x89PNG fake", "image/png")})

    described = await session.http.post("/api/describe",
                                        json={"image_url": upload.json()["url"]})
    unknown = await session.http.post("/api/describe",
                                      json={"image_url": "https://example.com/a.png"})

    assert described.status_code == 200
    assert len(described.json()["descriptions"]) == 4
    assert unknown.status_code == 400


async def test_the_refresh_token_gets_new_tokens_and_the_old_id_token_stops_working(
        sign_in, sandbox):
    session = await sign_in("mj-1", token_ttl_s=600)
    old_id = session.http.cookies[
        "__Host-Midjourney.AuthUserTokenV3_i"]

    response = await session.http.post("/api/auth/refresh")
    tokens = response.json()
    payload = tokens["idToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    session.http.cookies.clear()
    session.http.cookies.set("__Host-Midjourney.AuthUserTokenV3_i", old_id)
    with_old = await session.http.post("/api/job-status", json={"jobIds": []})
    session.http.cookies.set("__Host-Midjourney.AuthUserTokenV3_i", tokens["idToken"])
    with_new = await session.http.post("/api/job-status", json={"jobIds": []})

    assert response.status_code == 200 and 590 <= tokens["expiresIn"] <= 600
    assert claims["midjourney_id"] == session.user_id
    assert with_old.status_code == 401 and with_new.status_code == 200


async def test_a_captcha_puts_up_the_action_needed_page_until_restored(sign_in, control):
    session = await sign_in("mj-1")
    await control.post("/_sandbox/accounts/mj-1/failures", json={"trigger": "captcha"})

    refused = await session.submit("a cat")
    page = await session.http.get("/imagine")
    blocked = await session.http.post("/api/job-status", json={"jobIds": []})
    await control.post("/_sandbox/accounts/mj-1/restore")
    after = await session.http.post("/api/job-status", json={"jobIds": []})

    assert refused.status_code == 403 and "Action needed" in refused.text
    assert page.status_code == 403 and "challenge-form" in page.text
    assert blocked.status_code == 403
    assert after.status_code == 200


async def test_an_invalid_parameter_is_refused_in_the_failure_list(sign_in):
    session = await sign_in("mj-1")

    response = await session.submit("a cat sandbox:invalid")

    assert response.status_code == 200
    assert response.json()["success"] == []
    assert response.json()["failure"][0]["message"].startswith("Invalid parameter")
