"""The rules that keep a job from moving backwards, and the seed's URL columns, without I/O."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from consumers.providers.runner import REFUSED_SEQ
from store.events import FOLDED, Stored, apply, stored
from store.product_design import design_id, url_list
from tests.persister.helpers import completed, failed, progress, started

pytestmark = pytest.mark.unit


def pending_row() -> dict:
    return {**dict.fromkeys(FOLDED), "status": "pending", "progress": 0, "seq": 0}


def fold(events: list[Stored]) -> dict:
    row = pending_row()
    for event in events:  # each in its own batch: the arrival order is the order applied
        apply(row, event)
    return row


def test_whatever_order_a_jobs_events_arrive_in_its_row_ends_the_same():
    base = datetime(2026, 11, 24, tzinfo=UTC)
    events = [stored(e.model_copy(update={"time": base + timedelta(seconds=i)})) for i, e in
              enumerate([started("j"), progress("j", percent=30, seq=2),
                         progress("j", percent=60, seq=3), completed("j", seq=4)])]
    rows = [fold(list(order)) for order in itertools.permutations(events)]

    assert all(row == rows[0] for row in rows)
    assert (rows[0]["status"], rows[0]["progress"], rows[0]["seq"]) == ("completed", 100, 4)
    assert rows[0]["account_id"] == "mj-alice" and rows[0]["provider_job_id"] == "mj-job-1"
    assert rows[0]["started_at"] == base and rows[0]["finished_at"] == base + timedelta(seconds=3)


def test_a_terminal_job_takes_no_later_state_but_still_fills_blanks():
    row = fold([stored(failed("j", "cancelled", seq=2)), stored(progress("j", seq=5)),
                stored(started("j", seq=1))])

    assert (row["status"], row["progress"], row["seq"]) == ("cancelled", 0, 5)
    assert row["error"]["code"] == "cancelled"
    assert (row["account_id"], row["provider_job_id"]) == ("mj-alice", "mj-job-1")


def test_a_job_handed_to_another_account_shows_the_account_that_finished_it():
    # Attempt 1 on mj-alice submitted and stalled; attempt 2 ran afresh on mj-bob.
    handover = [started("j"), progress("j", seq=2),
                started("j", seq=2_000_001, account_id="mj-bob"),
                progress("j", seq=2_000_002, provider_job_id="mj-job-2"),
                completed("j", seq=2_000_003, account_id="mj-bob", provider_job_id="mj-job-2")]
    rows = [fold([stored(e) for e in order]) for order in itertools.permutations(handover)]

    assert {(r["account_id"], r["provider_job_id"], r["status"]) for r in rows} == {
        ("mj-bob", "mj-job-2", "completed")}


def test_a_refusal_ends_a_job_that_an_earlier_attempt_started():
    # An upscale started on its parent's account, which then expired; no account could take
    # the job over, so the provider service refused it outside any attempt.
    row = fold([stored(started("j", seq=1_000_001)), stored(progress("j", seq=1_000_002)),
                stored(failed("j", "no_account", seq=REFUSED_SEQ))])

    assert (row["status"], row["error"]["code"]) == ("failed", "no_account")


def test_the_seeds_url_columns_read_as_lists():
    assert url_list('["a", "b"]') == ["a", "b"]
    assert url_list(["a"]) == ["a"]
    assert url_list(None) == [] and url_list("") == []
    assert url_list("https://x/a.png") == ["https://x/a.png"]


def test_a_design_is_named_by_a_uuid_design_id_else_idea_id():
    upper = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
    assert design_id({"design_id": upper, "idea_id": "x"}) == upper.lower()
    assert design_id({"idea_id": upper}) == upper.lower()
    assert design_id({"design_id": "idea-1"}) is None
    assert design_id({}) is None
