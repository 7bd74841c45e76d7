"""Dead letters over HTTP: listed with why and where from, requeued to that queue, discarded;
listing loses nothing."""

import pytest

from bus.publisher import DEAD_REASON
from tests.dashboard.helpers import dead_letter, drop, take
from tests.http.conftest import auth

pytestmark = pytest.mark.connected


def mine(page: dict, queue: str) -> list[dict]:
    """This test's letters (other suites may dead-letter in the same vhost meanwhile)."""
    return [d for d in page["data"] if d["queue"] == queue]


@pytest.fixture
async def origin(clean_bus):
    names = []
    yield names
    for name in names:
        await drop(clean_bus, name)


async def test_an_operator_sees_why_a_message_was_dead_lettered_and_listing_keeps_it(
        serve, clean_bus, admin, origin):
    api = await serve()
    origin.append(await dead_letter(clean_bus, reason="input.prompt: field required",
                                    job_id="job-dead-1"))
    first = await api.client.get("/v1/dead", headers=auth(admin))
    again = await api.client.get("/v1/dead", headers=auth(admin))
    assert first.status_code == 200, first.text
    [letter] = mine(first.json(), origin[0])
    assert letter["reason"] == "input.prompt: field required"
    assert letter["queue"] == origin[0] and letter["job_id"] == "job-dead-1"
    assert letter["type"] == "wowz.job.requested" and '"prompt":"a cat"' in letter["body"]
    assert mine(again.json(), origin[0]) == [letter] and again.json()["total"] >= 1


async def test_a_requeued_dead_letter_goes_back_to_its_queue_without_the_dead_headers(
        serve, clean_bus, admin, origin):
    api = await serve()
    origin.append(await dead_letter(clean_bus, reason="first", job_id="job-a"))
    await dead_letter(clean_bus, reason="second", job_id="job-b", queue=origin[0])
    listed = (await api.client.get("/v1/dead", headers=auth(admin))).json()["data"]
    second = next(d for d in listed if d["reason"] == "second" and d["queue"] == origin[0])
    response = await api.client.post(f"/v1/dead/{second['id']}/requeue", headers=auth(admin))
    assert response.status_code == 202, response.text
    back = await take(clean_bus, origin[0])
    assert back is not None and back.headers["cloudEvents:subject"] == "job-b"
    assert DEAD_REASON not in back.headers
    left = (await api.client.get("/v1/dead", headers=auth(admin))).json()
    assert [d["reason"] for d in mine(left, origin[0])] == ["first"]


async def test_a_discarded_dead_letter_is_gone_and_the_others_stay(serve, clean_bus, admin,
                                                                    origin):
    api = await serve()
    origin.append(await dead_letter(clean_bus, reason="keep me"))
    await dead_letter(clean_bus, reason="drop me", queue=origin[0])
    listed = mine((await api.client.get("/v1/dead", headers=auth(admin))).json(), origin[0])
    doomed = next(d for d in listed if d["reason"] == "drop me")
    response = await api.client.delete(f"/v1/dead/{doomed['id']}", headers=auth(admin))
    assert response.status_code == 200 and response.json()["discarded"]["reason"] == "drop me"
    gone = await api.client.delete(f"/v1/dead/{doomed['id']}", headers=auth(admin))
    assert gone.status_code == 404
    left = mine((await api.client.get("/v1/dead", headers=auth(admin))).json(), origin[0])
    assert [d["reason"] for d in left] == ["keep me"]
    assert await take(clean_bus, origin[0]) is None


async def test_dead_letters_need_the_admin_scope(serve, clean_bus, key):
    api = await serve()
    response = await api.client.get("/v1/dead", headers=auth(key))
    assert response.status_code == 403 and "admin" in response.json()["error"]["message"]
