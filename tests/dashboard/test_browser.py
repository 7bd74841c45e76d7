"""The dashboard in real Chromium against the whole platform on the sandbox: an operator logs
in, watches a job arrive, move and finish with its images, opens it and replays its webhook;
handles a dead letter from the keyboard; reads it all on a phone. Screenshots go to
test-artifacts/dashboard/ (not committed)."""

from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from bus.publisher import Publisher
from schemas.events import Event, JobProgress
from store.keys import create_key
from tests.dashboard.helpers import dead_letter, drop, take

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
# Counts every percentage a row shows; progress moving means one strictly between 0 and 100.
RECORD = """() => { window.seen = [];
  new MutationObserver(() => document.querySelectorAll('#jobs .pct').forEach(
    p => window.seen.push(parseInt(p.textContent)))).observe(
      document.querySelector('#jobs tbody'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
async def chromium(settings):
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=settings.browser.chromium_path,
                                          args=settings.browser.chromium_args, headless=True)
        yield browser
        await browser.close()


async def log_in(page, base: str, api_key: str) -> None:
    await page.goto(f"{base}/")
    await expect(page).to_have_url(f"{base}/ui/login?next=/")
    await page.fill("#api_key", api_key)
    await page.keyboard.press("Enter")
    await expect(page.locator("h1, .error").first).to_have_text("Jobs")


async def test_an_operator_watches_a_job_arrive_progress_finish_and_replays_its_webhook(
        platform, receiver, clean_db, chromium):
    key = await create_key(clean_db, name="operator", scopes=("submit", "read", "admin"))
    base = platform.settings.http.public_url
    page = await chromium.new_page(viewport={"width": 1280, "height": 900})
    await log_in(page, base, key.api_key)
    await expect(page.locator("#live")).to_have_text("live")
    await page.evaluate(RECORD)

    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 headers={"Authorization": f"Bearer {key.api_key}"}) as client:
        job = (await client.post("/v1/jobs", json={
            "provider": "midjourney", "action": "imagine",
            "input": {"prompt": "a lighthouse made of teacups"},
            "webhook": {"url": f"{receiver.url}/hook"}})).json()
    row = page.locator(f'tr[data-job="{job["id"]}"]')
    await expect(row).to_be_visible(timeout=5000)  # no reload: it came over the stream
    await expect(row.locator(".status")).to_have_text("completed", timeout=30_000)
    await expect(row.locator(".account")).not_to_be_empty()
    seen = await page.evaluate("window.seen")
    assert any(0 < p < 100 for p in seen) and seen[-1] == 100, seen
    thumbs = row.locator(".thumbs img")
    await expect(thumbs).to_have_count(4)
    await page.wait_for_function(
        "n => [...document.querySelectorAll(`tr[data-job='${n}'] .thumbs img`)]"
        ".every(i => i.complete && i.naturalWidth > 0)", arg=job["id"])
    await page.screenshot(path=SHOTS / "jobs.png", full_page=True)

    await row.locator("a").focus()
    await page.keyboard.press("Enter")  # the job page, from the keyboard
    await expect(page.locator("h1 .status")).to_have_text("completed")
    images = page.locator(".images img")
    await expect(images).to_have_count(4)
    assert await images.first.evaluate("i => i.complete && i.naturalWidth >= 128")
    kinds = await page.locator("#events li strong").all_text_contents()
    assert kinds[0] == "requested" and kinds[1] == "started" and kinds[-1] == "completed"
    assert "progress" in kinds
    await receiver.wait_for(1, timeout=30)
    replay = page.locator("tr[data-delivery] button", has_text="Replay")
    for _ in range(50):  # the notifier logs the attempt just after sending it
        if await replay.count():
            break
        await page.wait_for_timeout(100)
        await page.reload()
    await replay.first.click()
    await expect(page.locator(".notice")).to_have_text("The webhook is being sent again.")
    await receiver.wait_for(2, timeout=30)
    assert receiver.requests[1]["body"] == receiver.requests[0]["body"]
    await page.screenshot(path=SHOTS / "job.png", full_page=True)


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
