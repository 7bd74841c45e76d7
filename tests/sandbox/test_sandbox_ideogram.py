"""The Ideogram stand-in and its token service, spoken to over HTTP as the web app would."""

import asyncio
import io
import json
import re

import httpx
import pytest
from PIL import Image

pytestmark = pytest.mark.connected


@pytest.fixture
async def ideogram(running_sandbox):
    async with httpx.AsyncClient(base_url=running_sandbox.ideogram_url) as control:
        (await control.post("/_sandbox/reset")).raise_for_status()
        (await control.post("/_sandbox/config", json={
            "generation_s": 0.2, "image_size": 64, "token_ttl_s": 3600})).raise_for_status()
        yield control


async def signed_in(box, control, account_id="ideo-1", **extra):
    created = (await control.post("/_sandbox/accounts",
                                  json={"account_id": account_id, **extra})).json()
    client = httpx.AsyncClient(base_url=box.ideogram_url,
                               headers={"authorization": f"Bearer {created['token']}"})
    return created, client


def png(width=40, height=30, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


async def finished(client, request_id, timeout=5.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            meta = (await client.get(f"/api/images/retrieve_metadata_request_id/{request_id}"))
            if meta.json()["is_completed"] or meta.json()["is_failed"]:
                return meta.json()
            await asyncio.sleep(0.05)


async def test_the_api_refuses_a_call_without_a_valid_bearer_token(running_sandbox, ideogram):
    async with httpx.AsyncClient(base_url=running_sandbox.ideogram_url) as anonymous:
        missing = await anonymous.post("/api/describe", json={})
        wrong = await anonymous.post("/api/describe", json={},
                                     headers={"authorization": "Bearer nope"})
    assert missing.status_code == wrong.status_code == 401


async def test_the_token_service_hands_out_tokens_as_json_or_in_a_pre_that_expire(
        running_sandbox, ideogram):
    await ideogram.post("/_sandbox/accounts", json={"account_id": "ideo-t"})
    await ideogram.post("/_sandbox/config", json={"token_ttl_s": 1.0})
    async with httpx.AsyncClient(base_url=running_sandbox.ideogram_token_url) as service:
        plain = (await service.get("/token/ideo-t")).json()
        page = (await service.get("/token/ideo-t", params={"format": "html"})).text
    inner = json.loads(re.search(r"<pre>(.*)</pre>", page).group(1).replace("&quot;", '"'))
    assert plain["token_type"] == inner["token_type"] == "Bearer"
    assert plain["expires_in"] == 1.0 and plain["access_token"] != inner["access_token"]
    async with httpx.AsyncClient(base_url=running_sandbox.ideogram_url, headers={
            "authorization": f"Bearer {plain['access_token']}"}) as client:
        before = await client.get("/api/account/sampling_available")
        await asyncio.sleep(1.05)
        after = await client.get("/api/account/sampling_available")
    assert before.status_code == 200 and after.status_code == 401
    assert (await ideogram.get("/_sandbox/stats")).json()["token_hits_by_account"] == {
        "ideo-t": 2}


async def test_a_remix_on_the_wire_uploads_describes_varies_and_downloads(
        running_sandbox, ideogram):
    created, client = await signed_in(running_sandbox, ideogram)
    async with client:
        upload = (await client.post("/api/uploads/upload",
                                    files={"file": ("a.png", png(), "image/png")})).json()
        caption = (await client.post("/api/describe", json={
            "image_id": upload["id"], "captioner_model_version": "V_3_0"})).json()
        sample = await client.post("/api/images/sample", json={
            "prompt": caption[0]["caption"], "user_id": created["user_id"], "private": True,
            "model_version": "V_2", "use_autoprompt_option": "OFF", "sampling_speed": -2,
            "style_expert": "DESIGN", "resolution": {"width": 1024, "height": 768},
            "num_images": 3, "parent": {"image_id": upload["id"], "weight": 60,
                                        "type": "VARIATION"}})
        meta = await finished(client, sample.json()["request_id"])
        images = [await client.get(f"/api/download/response/{r['response_id']}/image",
                                   params={"quality": "PNG"}) for r in meta["responses"]]
    assert upload["success"] is True and "upload" in caption[0]["caption"]
    assert len(meta["responses"]) == 3
    for image in images:
        assert image.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(image.content)).size == (64, 48)


async def test_responses_arrive_one_by_one_and_not_before(running_sandbox, ideogram):
    await ideogram.post("/_sandbox/config", json={"generation_s": 0.6})
    created, client = await signed_in(running_sandbox, ideogram)
    async with client:
        sample = await client.post("/api/images/sample", json={
            "prompt": "a fox", "user_id": created["user_id"], "num_images": 4})
        request_id = sample.json()["request_id"]
        early = (await client.get(f"/api/images/retrieve_metadata_request_id/{request_id}"))
        await asyncio.sleep(0.35)
        middle = (await client.get(f"/api/images/retrieve_metadata_request_id/{request_id}"))
        late = await finished(client, request_id)
    assert early.json()["responses"] == [] and not early.json()["is_completed"]
    assert 0 < len(middle.json()["responses"]) < 4
    assert len(late["responses"]) == 4


async def test_upscale_doubles_a_response_and_background_removal_cuts_it_out(
        running_sandbox, ideogram):
    created, client = await signed_in(running_sandbox, ideogram)
    async with client:
        request_id = (await client.post("/api/images/sample", json={
            "prompt": "a fox", "user_id": created["user_id"], "num_images": 1})).json()[
            "request_id"]
        response_id = (await finished(client, request_id))["responses"][0]["response_id"]
        upscale = (await client.post("/api/images/sample", json={
            "prompt": "a fox", "user_id": created["user_id"], "num_images": 1,
            "parent": {"request_id": request_id, "response_id": response_id, "weight": 100,
                       "type": "SUPER_RES"}})).json()
        big = (await finished(client, upscale["request_id"]))["responses"][0]["response_id"]
        big_png = (await client.get(f"/api/download/response/{big}/image")).content
        cut = (await client.post("/api/images/masks/removeImageBackground", json={
            "asset_type": "RESPONSE", "asset_id": response_id})).json()
        cut_png = (await client.get(f"/api/download/response/{cut['asset_id']}/image")).content
    assert Image.open(io.BytesIO(big_png)).size == (128, 128)
    cut_image = Image.open(io.BytesIO(cut_png))
    assert cut_image.mode == "RGBA" and cut_image.getpixel((0, 0))[3] == 0


async def test_moderation_rate_limits_and_an_empty_quota_answer_as_the_site_does(
        running_sandbox, ideogram):
    created, client = await signed_in(running_sandbox, ideogram)
    body = {"prompt": "a fox", "user_id": created["user_id"], "num_images": 1}
    async with client:
        moderated = await client.post("/api/images/sample",
                                      json={**body, "prompt": "x sandbox:moderated"})
        await ideogram.post("/_sandbox/accounts/ideo-1/failures",
                            json={"trigger": "429", "count": 1})
        limited = await client.post("/api/images/sample", json=body)
        await ideogram.post("/_sandbox/accounts/ideo-1/quota", json={"remaining": 0})
        empty = await client.post("/api/images/sample", json=body)
        available = (await client.get("/api/account/sampling_available")).json()
    assert moderated.status_code == 400 and "content policy" in moderated.json()["detail"]
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert empty.status_code == 403 and empty.json()["sampling_available"] is False
    assert available["sampling_available"] is False
