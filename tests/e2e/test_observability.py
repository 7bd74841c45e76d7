"""What the people running wowz see: Prometheus metrics after a job, and logs with the job's
context but none of its secrets."""

import logging

import httpx
import pytest

from store import keys

pytestmark = pytest.mark.e2e


async def test_a_job_shows_in_the_metrics_and_the_logs_keep_its_secrets(
        platform, receiver, clean_db, caplog, tmp_path):
    caplog.set_level(logging.DEBUG, logger="wowz")  # everything our code logs
    key = await keys.create_key(clean_db, name="observed")
    cookies = (tmp_path / "mj-e2e-1.cookies.json").read_text()
    base = platform.settings.http.public_url
    auth = {"Authorization": f"Bearer {key.api_key}"}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=auth) as client:
        job_id = (await client.post("/v1/jobs", json={
            "provider": "midjourney", "action": "imagine", "input": {"prompt": "metrics"},
            "webhook": {"url": f"{receiver.url}/hook?signature=secret-resume-token"}})).json()["id"]
        await receiver.wait_for(1, timeout=60)
        assert (await client.get("/metrics", headers={"Authorization": ""})).status_code == 401
        text = (await client.get("/metrics")).text
    assert 'wowz_jobs_total{action="imagine",provider="midjourney",status="completed"}' in text
    assert "wowz_job_queue_wait_seconds_count" in text
    assert 'wowz_webhook_attempts_total{outcome="delivered"}' in text
    assert "wowz_bus_publish_confirm_seconds_count" in text
    assert 'wowz_browser_memory_bytes{account="mj-e2e-' in text
    assert 'wowz_account_healthy{account="mj-e2e-1",provider="midjourney"} 1.0' in text

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records
                        if r.name.startswith("wowz"))
    assert job_id in logged  # the job's steps are logged with its id
    secrets = [key.api_key, key.key.webhook_secret, "secret-resume-token",
               *[c["value"] for c in __import__("json").loads(cookies)]]
    for secret in secrets:
        assert secret not in logged
