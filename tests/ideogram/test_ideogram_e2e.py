"""The whole platform with Ideogram: a remix posted to /v1/jobs comes back signed, stored under
the seed's layout, and kept in product_design's remixed_designs_url."""

import asyncio
import io
import json
import logging
import socket
import uuid

import httpx
import pytest
import standardwebhooks
from PIL import Image as PILImage

from store import keys
from tests.e2e.receiver import Receiver
from tests.ideogram.helpers import ideogram_account, image_app, sandbox_get, sandbox_post

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def receiver():
    receiver = await Receiver().start()
    yield receiver
    await receiver.stop()


@pytest.fixture
async def platform(settings, sandbox, clean_db, clean_bus, tmp_path):
    from wowz.platform import Platform

    await sandbox_post(sandbox, "/_sandbox/config", {"generation_s": 0.5})
    accounts = [await ideogram_account(sandbox, f"ideo-e2e-{n}") for n in (1, 2)]
    s = settings.model_copy(deep=True)
    s.providers.ideogram_url = sandbox.ideogram_url
    s.providers.poll_interval_s = 0.25
    s.browser.profiles_dir = tmp_path / "profiles"
    s.http.port = free_port()
    s.http.public_url = f"http://127.0.0.1:{s.http.port}"
    running = Platform(s, ["ingress", "persister", "notifier", "ideogram"], accounts)
    await running.start()
    running.images_url = await sandbox.serve("user_images", image_app(), 0)
    yield running
    await running.stop()


async def remix_over_http(platform, receiver, pool, **input_) -> tuple[dict, dict, str]:
    key = await keys.create_key(pool, name="e2e")
    design_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=platform.settings.http.public_url, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as client:
        response = await client.post("/v1/jobs", json={
            "provider": "ideogram", "action": "remix",
            "input": {"image_url": f"{platform.images_url}/fox.png", **input_},
            "webhook": {"url": f"{receiver.url}/n8n/resume?signature=abc"},
            "metadata": {"design_id": design_id}})
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        [delivery] = await receiver.wait_for(1, timeout=60)
        payload = standardwebhooks.Webhook(key.key.webhook_secret).verify(
            delivery["body"], delivery["headers"])
        job = (await client.get(f"/v1/jobs/{job_id}")).json()
        for image in job["output"]["images"]:
            download = await client.get(image["url"])
            assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
    return payload, job, design_id


async def test_a_remix_with_an_automatic_prompt_comes_back_signed_and_in_product_design(
        platform, receiver, clean_db):
    payload, job, design_id = await remix_over_http(platform, receiver, clean_db, num_images=2)
    assert payload["type"] == "wowz.job.completed" and payload["data"]["job_id"] == job["id"]
    assert job["status"] == "completed" and "product design image" in job["output"]["text"]
    images = job["output"]["images"]
    assert [i["url"].split("/files/")[1] for i in images] == [
        f"product-ideas/{job['id']}/{i['response_id']}.png" for i in images]
    row = await clean_db.fetchrow("select job_status, remixed_designs_url from product_design "
                                  "where id::text = $1", design_id)
    urls = row["remixed_designs_url"]
    urls = json.loads(urls) if isinstance(urls, str) else urls
    assert row["job_status"] == "completed" and urls == [i["url"] for i in images]


async def test_a_remix_with_a_manual_prompt_keeps_that_prompt(platform, receiver, clean_db):
    _, job, _ = await remix_over_http(platform, receiver, clean_db, num_images=1,
                                      prompt="a fox, flat vector", prompt_source="MANUAL")
    assert job["status"] == "completed" and job["output"]["text"] == "a fox, flat vector"
    assert len(job["output"]["images"]) == 1


async def test_a_finished_remix_is_upscaled_and_cut_out_by_its_job_id_on_its_account(
        platform, receiver, clean_db):
    _, remix, _ = await remix_over_http(platform, receiver, clean_db, num_images=2,
                                        prompt="a fox, flat vector")
    key = await keys.create_key(clean_db, name="e2e-2")
    async with httpx.AsyncClient(base_url=platform.settings.http.public_url, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as client:
        ids = []
        for action in ("upscale", "remove_background"):
            response = await client.post("/v1/jobs", json={
                "provider": "ideogram", "action": action,
                "input": {"job_id": remix["id"], "index": 1}})
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
        await receiver.wait_for(1, timeout=1)  # the remix's own callback, already there
        done = {}
        for job_id in ids:
            job = await finished(client, job_id)
            done[job["action"]] = job
    source = remix["output"]["images"][1]
    [big] = done["upscale"]["output"]["images"]
    [cut] = done["remove_background"]["output"]["images"]
    assert done["upscale"]["status"] == done["remove_background"]["status"] == "completed"
    # only the account that made the image can see it: both ran there
    assert done["upscale"]["account_id"] == done["remove_background"]["account_id"] == remix[
        "account_id"]
    assert (big["width"], big["height"]) == (source["width"] * 2, source["height"] * 2)
    assert done["upscale"]["output"]["text"] == "a fox, flat vector"
    assert cut["url"].endswith(f"/product-ideas/{done['remove_background']['id']}/"
                               f"{cut['response_id']}.png")


async def finished(client: httpx.AsyncClient, job_id: str) -> dict:
    """The job once it is over (polled: the tests that follow webhooks use the receiver)."""
    async with asyncio.timeout(30):
        while (job := (await client.get(f"/v1/jobs/{job_id}")).json())["status"] in (
                "pending", "processing"):
            await asyncio.sleep(0.1)
    return job


def submit(client: httpx.AsyncClient, action: str, input_: dict, *, webhook: str | None = None,
           headers: dict | None = None):
    body = {"provider": "ideogram", "action": action, "input": input_}
    if webhook is not None:
        body["webhook"] = {"url": webhook}
    return client.post("/v1/jobs", json=body, headers=headers)


async def test_generated_images_and_a_cut_out_of_an_image_url_come_back_stored(
        platform, receiver, clean_db):
    key = await keys.create_key(clean_db, name="e2e")
    async with httpx.AsyncClient(base_url=platform.settings.http.public_url, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as client:
        generate = await submit(client, "generate", {
            "prompt": "a teapot astronaut, sticker", "num_images": 2, "style": "DESIGN",
            "resolution": {"width": 1024, "height": 768}},
            webhook=f"{receiver.url}/hooks/wowz")
        cut_out = await submit(client, "remove_background",
                               {"image_url": f"{platform.images_url}/fox.png"})
        assert generate.status_code == cut_out.status_code == 202, generate.text + cut_out.text
        [delivery] = await receiver.wait_for(1, timeout=30)
        payload = standardwebhooks.Webhook(key.key.webhook_secret).verify(
            delivery["body"], delivery["headers"])
        job = (await client.get(f"/v1/jobs/{generate.json()['id']}")).json()
        cut_job = await finished(client, cut_out.json()["id"])
        stored = [(await client.get(i["url"])).content
                  for i in [*job["output"]["images"], *cut_job["output"]["images"]]]
    # generate: text to image, signed back, stored under the seed's layout
    images = job["output"]["images"]
    assert payload["type"] == "wowz.job.completed" and payload["data"]["job_id"] == job["id"]
    assert job["status"] == "completed" and job["output"]["text"] == "a teapot astronaut, sticker"
    assert [i["url"].split("/files/")[1] for i in images] == [
        f"product-ideas/{job['id']}/{i['response_id']}.png" for i in images]
    assert [PILImage.open(io.BytesIO(data)).size for data in stored[:2]] == [
        (i["width"], i["height"]) for i in images]
    assert images[0]["width"] > images[0]["height"]  # the 4:3 resolution asked for
    # remove_background: the user's image is one flat colour, so all of it is cut away
    [cut] = cut_job["output"]["images"]
    assert cut_job["status"] == "completed", cut_job["error"]
    assert cut["url"].endswith(f"/product-ideas/{cut_job['id']}/{cut['response_id']}.png")
    image = PILImage.open(io.BytesIO(stored[2]))
    assert image.format == "PNG" and image.mode == "RGBA" and image.size == (48, 32)
    assert image.getextrema()[3] == (0, 0)


async def test_a_job_with_the_clients_own_ideogram_token_runs_on_it_and_keeps_it_nowhere(
        platform, sandbox, receiver, clean_db, caplog):
    caplog.set_level(logging.DEBUG)
    own = await sandbox_post(sandbox, "/_sandbox/accounts", {"account_id": "ideo-client-own"})
    token = own["token"]
    key = await keys.create_key(clean_db, name="e2e")
    async with httpx.AsyncClient(base_url=platform.settings.http.public_url, timeout=30,
                                 headers={"X-API-Key": key.api_key}) as client:
        mine = await submit(client, "generate", {"prompt": "a fox on my own token"},
                            webhook=f"{receiver.url}/hooks/wowz",
                            headers={"X-Provider-Token": f"Bearer {token}",
                                     "X-Provider-User-Id": own["user_id"]})
        theirs = await submit(client, "generate", {"prompt": "a fox on the account's token"})
        assert mine.status_code == theirs.status_code == 202, mine.text
        jobs = [await finished(client, r.json()["id"]) for r in (mine, theirs)]
        [delivery] = await receiver.wait_for(1, timeout=30)
        pages = [await client.get(f"/v1/jobs/{j['id']}") for j in jobs]
        pages.append(await client.get(f"/ui/jobs/{jobs[0]['id']}"))  # the dashboard's
    assert [j["status"] for j in jobs] == ["completed", "completed"]
    # the stand-in saw the client's token for that job alone
    made_by = {g["prompt"]: g["account_id"]
               for g in await sandbox_get(sandbox, "/_sandbox/generations")}
    assert made_by["a fox on my own token"] == "ideo-client-own"
    assert made_by["a fox on the account's token"] in {"ideo-e2e-1", "ideo-e2e-2"}
    # and the token is in no table, log line, webhook, API answer or dashboard page
    tables = await clean_db.fetch("select table_name from information_schema.tables "
                                  "where table_schema = 'public'")
    for table in tables:
        rows = await clean_db.fetch(f'select t::text from "{table[0]}" t')
        assert not [r for r in rows if token in r[0]], table[0]
    assert caplog.records and not [r for r in caplog.records if token in str(vars(r))]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert token not in repr(delivery) and not [p for p in pages if token in p.text]
