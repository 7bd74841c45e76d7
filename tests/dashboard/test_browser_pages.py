"""The dashboard's pages in real Chromium against an ingress: a dead letter handled from the
keyboard, a job page following its events, the jobs table on a phone, thumbnails from Supabase
Storage, an account switched off and on. Screenshots go to test-artifacts/dashboard/ (not
committed)."""

import httpx
import pytest
from playwright.async_api import expect

from bus.publisher import Publisher
from schemas.events import Event, JobProgress
from tests.dashboard.browser import SHOTS, log_in
from tests.dashboard.helpers import dead_letter, drop, report_accounts, take
from tests.ideogram.helpers import png

pytestmark = pytest.mark.browser


async def test_a_dead_letter_is_requeued_from_the_keyboard(serve, clean_bus, admin, chromium):
    api = await serve()
    origin = await dead_letter(clean_bus, reason="bad_input: input.prompt missing",
                               job_id="job-from-n8n")
    try:
        page = await chromium.new_page()
        await log_in(page, api.url, admin.api_key)
        await page.goto(f"{api.url}/ui/dead")
        letter = page.locator("section.letter", has_text=origin)
        await expect(letter.locator(".reason")).to_contain_text("input.prompt missing")
        await page.screenshot(path=SHOTS / "dead.png", full_page=True)
        await letter.get_by_role("button", name=f"Requeue to {origin}").focus()
        await page.keyboard.press("Enter")
        await expect(page.locator(".notice")).to_have_text("Sent back to its queue.")
        await expect(page.locator("section.letter", has_text=origin)).to_have_count(0)
        back = await take(clean_bus, origin)
        assert back is not None and back.headers["cloudEvents:subject"] == "job-from-n8n"
    finally:
        await drop(clean_bus, origin)


async def test_the_jobs_table_fits_a_phone(serve, key, chromium):
    api = await serve()
    async with httpx.AsyncClient(base_url=api.url, headers={"X-API-Key": key.api_key}) as c:
        for n in range(3):
            await c.post("/v1/jobs", json={"provider": "midjourney", "action": "imagine",
                                           "input": {"prompt": f"sticker {n}"}})
    context = await chromium.new_context(viewport={"width": 390, "height": 844},
                                         is_mobile=True, has_touch=True)
    page = await context.new_page()
    await log_in(page, api.url, key.api_key)
    await expect(page.locator("#jobs tbody tr")).to_have_count(3)
    # Rows become cards: nothing scrolls sideways, every column is in view.
    assert await page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth")
    for column in (".status", ".account", "progress", ".age"):
        box = await page.locator(f"#jobs tbody tr {column}").first.bounding_box()
        assert box["x"] + box["width"] <= 390, column
    font = await page.locator("#jobs td").first.evaluate(
        "td => parseFloat(getComputedStyle(td).fontSize)")
    assert font >= 14
    await page.screenshot(path=SHOTS / "jobs-phone.png", full_page=True)
    await context.close()


async def test_a_job_page_moves_its_progress_bar_as_events_arrive(serve, key, amqp, chromium):
    api = await serve()
    job = (await api.client.post("/v1/jobs", headers={"X-API-Key": key.api_key}, json={
        "provider": "midjourney", "action": "imagine", "input": {"prompt": "a slow kite"}})).json()
    page = await chromium.new_page()
    await log_in(page, api.url, key.api_key)
    await page.goto(f"{api.url}/ui/jobs/{job['id']}")
    await expect(page.locator("h1 .status")).to_have_text("pending")
    await page.locator("#job[data-stream=open]").wait_for()
    await page.wait_for_timeout(200)  # the stream's headers come just before it listens
    publisher = await Publisher.open(amqp)
    try:
        await publisher.publish(Event.of(JobProgress(
            job_id=job["id"], provider="midjourney", seq=5, percent=42, stage="generating")))
    finally:
        await publisher.close()
    await expect(page.locator("#job .pct")).to_have_text("42%")  # no reload: over the stream
    assert await page.locator("#job progress").evaluate("p => p.value") == 42


async def test_thumbnails_stored_in_supabase_storage_load_and_other_origins_stay_blocked(
        serve, key, clean_db, chromium, tmp_path):
    # Two more ingresses stand in for origins: one is the Supabase project's Storage (a
    # public file server, as its public buckets are), the other any site.
    storage, elsewhere = await serve(), await serve()
    api = await serve(supabase_url=storage.url)
    picture = tmp_path / "objects" / "product-designs" / "idea-1" / "generated_1_0.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(png())
    path = "/files/product-designs/idea-1/generated_1_0.png"
    job = (await api.client.post("/v1/jobs", headers={"X-API-Key": key.api_key}, json={
        "provider": "midjourney", "action": "imagine", "input": {"prompt": "a teapot"}})).json()
    images = [{"url": base + path, "width": 48, "height": 32, "index": i}
              for i, base in enumerate((storage.url, elsewhere.url))]
    await clean_db.execute("update jobs set status = 'completed', output = $2 where id = $1",
                           job["id"], {"images": images})
    page = await chromium.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
            else None)
    await log_in(page, api.url, key.api_key)
    thumbs = page.locator(f'tr[data-job="{job["id"]}"] .thumbs img')
    await expect(thumbs).to_have_count(2)
    await page.wait_for_function("() => [...document.querySelectorAll('.thumbs img')]"
                                 ".every(i => i.complete)")
    loaded = await thumbs.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert loaded == [48, 0]
    assert any(elsewhere.url in text for text in blocked), blocked


async def test_an_operator_disables_an_account_from_the_accounts_page_and_enables_it_again(
        serve, admin, clean_db, events, chromium):
    await report_accounts(clean_db)
    api = await serve()
    page = await chromium.new_page()
    await log_in(page, api.url, admin.api_key)
    await page.goto(f"{api.url}/ui/accounts")
    row = page.locator('tr[data-account="mj-1"]')
    await row.get_by_role("button", name="Disable mj-1").click()
    await expect(page.locator(".notice")).to_have_text(
        "Disabled: it takes no new jobs; the running ones finish.")
    await expect(row.locator(".enabled .status")).to_have_text("disabled")
    told = await events.until(lambda e: e.type == "wowz.account.control", timeout=5)
    assert (told.data.account_id, told.data.enabled) == ("mj-1", False)
    await page.screenshot(path=SHOTS / "accounts.png", full_page=True)
    await row.get_by_role("button", name="Enable mj-1").focus()
    await page.keyboard.press("Enter")
    await expect(row.locator(".enabled .status")).to_have_text("enabled")
    await events.until(lambda e: e.type == "wowz.account.control" and e.data.enabled, timeout=5)
    await expect(page.locator('tr[data-account="mj-2"] .enabled .status')).to_have_text(
        "enabled")
