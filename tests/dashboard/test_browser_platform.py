"""The dashboard in real Chromium against the whole platform on the sandbox: an operator logs
in, watches a job arrive, move and finish with its images, opens it from the keyboard and
replays its webhook. Screenshots go to test-artifacts/dashboard/ (not committed)."""

import httpx
import pytest
from playwright.async_api import expect

from store.keys import create_key
from tests.dashboard.browser import SHOTS, log_in

pytestmark = pytest.mark.browser

# Counts every percentage a row shows; progress moving means one strictly between 0 and 100.
RECORD = """() => { window.seen = [];
  new MutationObserver(() => document.querySelectorAll('#jobs .pct').forEach(
    p => window.seen.push(parseInt(p.textContent)))).observe(
      document.querySelector('#jobs tbody'), {subtree: true, childList: true, characterData: true});
}"""


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

    await row.locator('a[href^="/ui/jobs/"]').focus()
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
