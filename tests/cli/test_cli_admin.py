"""`wowz jobs`, `wowz dead ...` and `wowz deliveries replay` against a running ingress, the
real RabbitMQ and Postgres."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from bus.topology import NOTIFIER_QUEUE
from store import deliveries
from tests.dashboard.helpers import dead_letter, drop, take
from tests.http.conftest import JOB, auth

pytestmark = pytest.mark.connected


async def test_wowz_jobs_prints_the_keys_jobs_as_a_table_and_filters_them(serve, key, wowz):
    api = await serve()
    plain = (await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()
    tagged = (await api.client.post("/v1/jobs", json={**JOB, "metadata": {"idea": "7"}},
                                    headers=auth(key))).json()
    target = ["--url", api.url, "--key", key.api_key]
    code, out, _ = await wowz("jobs", *target)
    header, *rows = out.splitlines()
    assert code == 0 and header.split()[:4] == ["ID", "STATUS", "JOB", "ACCOUNT"]
    assert [r.split()[0] for r in rows] == [tagged["id"], plain["id"]]  # newest first
    assert rows[0].split()[2] == "midjourney/imagine" and "0%" in rows[0].split()
    code, out, _ = await wowz("jobs", "--meta", "idea=7", *target)
    assert code == 0 and tagged["id"] in out and plain["id"] not in out
    code, out, _ = await wowz("jobs", "--status", "completed", "--json", *target)
    assert code == 0 and json.loads(out)["data"] == []


async def test_wowz_jobs_with_a_bad_filter_or_no_key_exits_2(serve, key, wowz):
    api = await serve()
    code, _, err = await wowz("jobs", "--status", "nonsense", "--url", api.url,
                              "--key", key.api_key)
    assert code == 2 and "status" in err
    code, _, err = await wowz("jobs", "--url", api.url, "--key", "wowz_not_a_key")
    assert code == 2 and "401 unauthorized" in err


async def test_wowz_dead_lists_requeues_and_discards(serve, clean_bus, admin, wowz):
    api = await serve()
    target = ["--url", api.url, "--key", admin.api_key]
    origin = await dead_letter(clean_bus, reason="provider_error: kept failing", job_id="j-1")
    await dead_letter(clean_bus, reason="bad_input: no prompt", job_id="j-2", queue=origin)
    try:
        code, out, _ = await wowz("dead", "list", *target)
        assert code == 0 and out.splitlines()[0].split() == ["ID", "QUEUE", "TYPE", "JOB",
                                                              "AGE", "REASON"]
        mine = [line.split() for line in out.splitlines() if origin in line]
        by_job = {row[3]: row[0] for row in mine}
        assert set(by_job) == {"j-1", "j-2"} and "provider_error: kept failing" in out

        code, out, _ = await wowz("dead", "requeue", by_job["j-1"], *target)
        assert code == 0 and out.strip() == f"{by_job['j-1']} requeued to {origin}"
        back = await take(clean_bus, origin)
        assert back.headers["cloudEvents:subject"] == "j-1"

        code, out, _ = await wowz("dead", "discard", by_job["j-2"], *target)
        assert code == 0 and "discarded" in out
        code, out, _ = await wowz("dead", "list", *target)
        assert origin not in out and await take(clean_bus, origin) is None
        code, _, err = await wowz("dead", "discard", by_job["j-2"], *target)
        assert code == 1 and "404 not_found" in err, err
    finally:
        await drop(clean_bus, origin)


async def test_wowz_deliveries_replay_sends_the_event_to_the_notifier_again(
        serve, key, clean_db, clean_bus, wowz):
    api = await serve()
    job = (await api.client.post("/v1/jobs", json={**JOB, "webhook": {
        "url": "http://127.0.0.1:9/hook"}}, headers=auth(key))).json()
    event_id = str(uuid.uuid4())
    await clean_db.execute(
        "insert into job_events (id, job_id, type, seq, data, time) values ($1, $2, $3, 9, $4, $5)",
        event_id, job["id"], "wowz.job.failed",
        {"job_id": job["id"], "provider": "midjourney", "seq": 9,
         "error": {"code": "moderated", "message": "no", "retryable": False}},
        datetime.now(UTC))
    delivery_id = await deliveries.record_attempt(
        clean_db, job_id=job["id"], event_id=event_id, event_type="wowz.job.failed",
        url="http://127.0.0.1:9/hook", attempt=8, status_code=None, error="refused",
        duration_ms=1, payload={}, next_attempt_at=None, delivered=False, exhausted=True)
    code, out, _ = await wowz("deliveries", "replay", delivery_id, "--url", api.url,
                              "--key", key.api_key)
    assert code == 0 and event_id in out
    sent = await take(clean_bus, NOTIFIER_QUEUE, event_id)
    assert sent is not None and sent.message_id == event_id
    assert sent.headers["x-wowz-replay"] == "1"
    code, _, err = await wowz("deliveries", "replay", "no-such-delivery", "--url", api.url,
                              "--key", key.api_key)
    assert code == 1 and "no delivery no-such-delivery" in err
