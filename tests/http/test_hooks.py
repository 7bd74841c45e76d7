"""A Supabase Database Webhook on product_design becomes a job, once per row change."""

import uuid

import pytest

from producers.http.routes_hooks import Hooks
from schemas.hooks import SupabaseJobMap

pytestmark = pytest.mark.connected

SECRET = "hook-secret-for-tests"


def change(kind: str, record: dict, old: dict | None = None) -> dict:
    return {"type": kind, "table": "product_design", "schema": "public", "record": record,
            "old_record": old}


@pytest.fixture
async def hooked(serve, clean_db, clean_bus, key):
    maps = [SupabaseJobMap(table="product_design", events=["INSERT", "UPDATE"],
                           provider="midjourney", action="imagine", input={"prompt": "prompt"},
                           constants={"options": {"ar": "1:1"}}, api_key_id=key.key.id)]
    return await serve(hooks=Hooks(secret=SECRET, maps=maps))


async def test_an_inserted_design_becomes_one_job_however_often_it_is_delivered(hooked, key,
                                                                               clean_db):
    design = {"id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "prompt": "a red fox"}
    headers = {"X-Wowz-Hook-Secret": SECRET}
    first = await hooked.client.post("/v1/hooks/supabase", json=change("INSERT", design),
                                     headers=headers)
    again = await hooked.client.post("/v1/hooks/supabase", json=change("INSERT", design),
                                     headers=headers)
    assert first.status_code == 202, first.text
    [job_id] = first.json()["jobs"]
    assert again.json()["jobs"] == [job_id]
    rows = await clean_db.fetch("select input, metadata, api_key_id from jobs")
    assert len(rows) == 1
    assert rows[0]["input"]["prompt"] == "a red fox" and rows[0]["input"]["options"]["ar"] == "1:1"
    assert rows[0]["metadata"]["design_id"] == design["id"]
    assert rows[0]["api_key_id"] == key.key.id


async def test_an_update_that_does_not_touch_the_prompt_makes_no_job(hooked, clean_db):
    design = {"id": str(uuid.uuid4()), "prompt": "a fox", "job_status": "completed"}
    old = {**design, "job_status": "processing"}
    answer = await hooked.client.post("/v1/hooks/supabase", json=change("UPDATE", design, old),
                                      headers={"X-Wowz-Hook-Secret": SECRET})
    assert answer.json()["jobs"] == [] and answer.json()["ignored"]
    changed = await hooked.client.post(
        "/v1/hooks/supabase", json=change("UPDATE", {**design, "prompt": "a wolf"}, design),
        headers={"X-Wowz-Hook-Secret": SECRET})
    assert len(changed.json()["jobs"]) == 1
    assert await clean_db.fetchval("select count(*) from jobs") == 1


async def test_a_hook_without_the_secret_is_refused(hooked, clean_db):
    design = {"id": str(uuid.uuid4()), "prompt": "x"}
    for headers in ({}, {"X-Wowz-Hook-Secret": "wrong"}):
        answer = await hooked.client.post("/v1/hooks/supabase", json=change("INSERT", design),
                                          headers=headers)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
    assert await clean_db.fetchval("select count(*) from jobs") == 0
