"""Stories of the apps that read `product_design`: a job that names a design keeps its row's job
fields and image URLs current, as the seed did."""

import json

import pytest

from tests.persister.helpers import (
    completed,
    failed,
    job_row,
    lifecycle,
    new_id,
    requested,
    started,
)

pytestmark = pytest.mark.connected


async def design(pool, design_id: str) -> dict | None:
    row = await pool.fetchrow("select * from product_design where id = $1::uuid", design_id)
    return dict(row) if row else None


async def test_a_midjourney_job_for_a_design_fills_its_row_and_generated_urls(
        start_persister, publisher, clean_db):
    design_id, job_id = new_id(), new_id()
    await clean_db.execute("insert into product_design (id, prompt) values ($1, 'a cat')",
                           design_id)
    await start_persister()

    await publisher.publish_many([requested(job_id, metadata={"design_id": design_id}),
                                  started(job_id)])
    await job_row(clean_db, job_id, status="processing")
    row = await design(clean_db, design_id)
    assert (row["job_id"], row["job_status"]) == (job_id, "processing")
    assert row["generated_designs_url"] is None

    await publisher.publish(completed(job_id))
    await job_row(clean_db, job_id, status="completed")
    row = await design(clean_db, design_id)
    assert row["job_status"] == "completed"
    assert row["generated_designs_url"] == [
        "https://storage.example/cat_0.png", "https://storage.example/cat_1.png"]
    assert row["remixed_designs_url"] is None
    assert row["job_created_at"] == (await job_row(clean_db, job_id))["created_at"]
    assert row["prompt"] == "a cat"


async def test_urls_the_seed_stored_as_a_json_string_become_an_array_without_duplicates(
        start_persister, publisher, clean_db):
    design_id, job_id = new_id(), new_id()
    await clean_db.execute(
        "insert into product_design (id, generated_designs_url) values ($1, to_jsonb($2::text))",
        design_id, '["a"]')
    await start_persister()

    await publisher.publish_many([requested(job_id, metadata={"idea_id": design_id}),
                                  completed(job_id, urls=("a", "https://storage.example/b.png"))])
    await job_row(clean_db, job_id, status="completed")

    raw = await clean_db.fetchval(
        "select generated_designs_url::text from product_design where id = $1", design_id)
    assert json.loads(raw) == ["a", "https://storage.example/b.png"]


async def test_an_ideogram_job_for_a_new_design_creates_its_row_with_remixed_urls(
        start_persister, publisher, clean_db):
    design_id, user_id, job_id = new_id(), new_id(), new_id()
    await start_persister()

    await publisher.publish_many(lifecycle(
        job_id, provider="ideogram", input={"prompt": "a dog"},
        metadata={"design_id": design_id, "user_id": user_id}))
    await job_row(clean_db, job_id, status="completed")

    row = await design(clean_db, design_id)
    assert (str(row["user_id"]), row["prompt"], row["job_id"], row["job_status"]) == (
        user_id, "a dog", job_id, "completed")
    assert row["remixed_designs_url"] == [
        "https://storage.example/cat_0.png", "https://storage.example/cat_1.png"]
    assert row["generated_designs_url"] is None


async def test_a_failed_job_shows_its_error_on_the_design(start_persister, publisher, clean_db):
    design_id, job_id = new_id(), new_id()
    await start_persister()

    await publisher.publish_many([requested(job_id, metadata={"design_id": design_id}),
                                  failed(job_id, "moderated")])
    await job_row(clean_db, job_id, status="failed")

    row = await design(clean_db, design_id)
    assert (row["job_status"], row["error_message"]) == ("failed", "job moderated")


async def test_a_design_id_that_is_not_a_uuid_is_skipped_and_the_job_still_written(
        start_persister, publisher, clean_db):
    job_id = new_id()
    await start_persister()

    await publisher.publish_many(lifecycle(job_id, metadata={"design_id": "design-17"}))

    await job_row(clean_db, job_id, status="completed")
    assert await clean_db.fetchval("select count(*) from product_design") == 0


async def test_a_new_job_for_the_same_design_takes_the_row_over_and_adds_its_urls(
        start_persister, publisher, clean_db):
    design_id, first, second = new_id(), new_id(), new_id()
    await start_persister()
    await publisher.publish_many(lifecycle(first, metadata={"design_id": design_id}))
    await job_row(clean_db, first, status="completed")

    await publisher.publish_many([requested(second, metadata={"design_id": design_id}),
                                  completed(second, urls=("https://storage.example/fox.png",))])
    await job_row(clean_db, second, status="completed")

    row = await design(clean_db, design_id)
    assert (row["job_id"], row["job_status"]) == (second, "completed")
    assert row["generated_designs_url"] == [
        "https://storage.example/cat_0.png", "https://storage.example/cat_1.png",
        "https://storage.example/fox.png"]
