"""The dashboard's pages over plain HTTP: the login and its cookie, who sees what, the
buttons as form posts."""

import re

import pytest

from store import deliveries
from store.keys import create_key
from tests.dashboard.helpers import dead_letter, drop, report_accounts
from tests.http.conftest import JOB, auth

pytestmark = pytest.mark.connected


async def test_a_visitor_without_a_key_is_sent_to_the_login_and_a_wrong_key_is_refused(
        serve, clean_db):
    api = await serve()
    page = await api.client.get("/ui/jobs/x?a=1")
    assert page.status_code == 303 and page.headers["location"] == "/ui/login?next=/ui/jobs/x%3Fa%3D1"
    login = await api.client.post("/ui/login", content="api_key=wowz_nope&next=/",
                                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert login.status_code == 401 and "not valid" in login.text
    assert "set-cookie" not in login.headers


async def test_logging_in_sets_an_httponly_strict_cookie_that_opens_the_jobs_page(serve, key):
    api = await serve()
    login = await api.client.post(
        "/ui/login", content=f"api_key={key.api_key}&next=//evil.example/",
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert login.status_code == 303 and login.headers["location"] == "/"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    jobs = await api.client.get("/")  # the client keeps the cookie
    assert jobs.status_code == 200 and "<h1>Jobs</h1>" in jobs.text
    assert "default-src 'self'" in jobs.headers["content-security-policy"]
    logout = await api.client.post("/ui/logout")
    assert logout.status_code == 303 and (await api.client.get("/")).status_code == 303


async def test_the_jobs_page_lists_only_the_keys_jobs_and_filters_them(serve, key, clean_db):
    api = await serve()
    other = await create_key(clean_db, name="someone else")
    mine = (await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()
    theirs = (await api.client.post("/v1/jobs", json=JOB, headers=auth(other))).json()
    page = await api.client.get("/", headers={"X-API-Key": key.api_key})
    assert f'data-job="{mine["id"]}"' in page.text and theirs["id"] not in page.text
    done = await api.client.get("/?status=completed", headers={"X-API-Key": key.api_key})
    assert mine["id"] not in done.text and "with these filters" in done.text
    job = await api.client.get(f"/ui/jobs/{mine['id']}", headers=auth(key))
    assert job.status_code == 200 and "a cat in a teapot" in job.text
    hidden = await api.client.get(f"/ui/jobs/{theirs['id']}", headers=auth(key))
    assert hidden.status_code == 404


async def test_a_replay_form_post_for_a_delivery_of_an_unlogged_event_says_why(
        serve, key, clean_db):
    api = await serve()
    job = (await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()
    delivery_id = await deliveries.record_attempt(
        clean_db, job_id=job["id"], event_id="not-logged", event_type="wowz.job.completed",
        url="http://127.0.0.1:9/hook", attempt=1, status_code=500, error="boom",
        duration_ms=3, payload={}, next_attempt_at=None, delivered=False, exhausted=True)
    page = await api.client.get(f"/ui/jobs/{job['id']}", headers=auth(key))
    assert f'action="/ui/deliveries/{delivery_id}/replay"' in page.text
    replay = await api.client.post(f"/ui/deliveries/{delivery_id}/replay", headers=auth(key))
    assert replay.status_code == 409 and "is not stored" in replay.text


async def test_the_dead_letters_page_shows_the_reason_and_discards_from_a_form(
        serve, clean_bus, admin, key):
    api = await serve()
    origin = await dead_letter(clean_bus, reason="undecodable: data.job_id missing")
    try:
        refused = await api.client.get("/ui/dead", headers=auth(key))
        assert refused.status_code == 403
        page = await api.client.get("/ui/dead", headers=auth(admin))
        assert "undecodable: data.job_id missing" in page.text
        letter = re.search(r'data-dead="([0-9a-f]{20})"[^>]*>\s*<h2><code>[^<]*</code> from '
                           rf"<code>{origin}</code>", page.text).group(1)
        done = await api.client.post(f"/ui/dead/{letter}/discard", headers=auth(admin))
        assert done.status_code == 303 and done.headers["location"] == "/ui/dead?notice=discarded"
        after = await api.client.get("/ui/dead?notice=discarded", headers=auth(admin))
        assert letter not in after.text and "Discarded." in after.text
    finally:
        await drop(clean_bus, origin)


async def test_the_script_and_styles_are_served_by_wowz(serve):
    api = await serve()
    script = await api.client.get("/ui/static/dashboard.js")
    styles = await api.client.get("/ui/static/dashboard.css")
    assert script.status_code == 200 and "EventSource" in script.text
    assert styles.status_code == 200 and "text/css" in styles.headers["content-type"]
    assert (await api.client.get("/ui/static/app.py")).status_code == 422


async def test_the_accounts_page_shows_each_accounts_health_and_load(serve, admin, key,
                                                                     clean_db):
    await report_accounts(clean_db)
    api = await serve()
    assert (await api.client.get("/ui/accounts", headers=auth(key))).status_code == 403
    page = await api.client.get("/ui/accounts", headers=auth(admin))
    assert page.status_code == 200
    rows = re.findall(r'<tr data-account="([^"]+)">(.*?)</tr>', page.text, re.DOTALL)
    assert [r[0] for r in rows] == ["mj-1", "mj-2"]
    assert "healthy" in rows[0][1] and "2 / 3" in rows[0][1] and "14 / 200" in rows[0][1]
    assert "unhealthy" in rows[1][1] and "auth_expired" in rows[1][1]


async def test_the_pages_may_show_images_from_the_supabase_project_and_no_other_origin(serve):
    api = await serve(supabase_url="https://abcd.supabase.co/some/path")
    csp = (await api.client.get("/ui/login")).headers["content-security-policy"]
    assert "img-src 'self' https://abcd.supabase.co;" in csp
    assert "default-src 'self';" in csp
    plain = await serve()
    assert "img-src" not in (await plain.client.get("/ui/login")).headers[
        "content-security-policy"]


def test_a_supabase_url_that_is_not_an_http_url_is_refused_at_start(monkeypatch):
    from wowz.settings import StoreSettings

    monkeypatch.setenv("WOWZ_SUPABASE_URL", "abcd.supabase.co")
    with pytest.raises(ValueError, match="WOWZ_SUPABASE_URL: 'abcd.supabase.co' is not"):
        StoreSettings()


async def test_jobs_are_filtered_by_the_account_that_ran_them_in_the_api_and_the_page(
        serve, key, clean_db):
    api = await serve()
    ids = [(await api.client.post("/v1/jobs", json=JOB, headers=auth(key))).json()["id"]
           for _ in range(3)]
    for job_id, account in zip(ids, ("mj-1", "mj-2", "mj-1"), strict=True):
        await clean_db.execute("update jobs set account_id = $2 where id = $1", job_id, account)
    listed = (await api.client.get("/v1/jobs", params={"account_id": "mj-1", "limit": 1},
                                   headers=auth(key))).json()
    assert [j["id"] for j in listed["data"]] == [ids[2]]
    more = (await api.client.get("/v1/jobs", params={
        "account_id": "mj-1", "cursor": listed["next_cursor"]}, headers=auth(key))).json()
    assert [j["id"] for j in more["data"]] == [ids[0]]
    page = await api.client.get("/?account_id=mj-2", headers=auth(key))
    assert re.findall(r'data-job="([^"]+)"', page.text) == [ids[1]]
    assert '<a href="/?account_id=mj-2" title="jobs of this account">mj-2</a>' in page.text
    assert 'name="account_id" value="mj-2"' in page.text
    nothing = await api.client.get("/?account_id=mj-9", headers=auth(key))
    assert "data-job=" not in nothing.text and "with these filters" in nothing.text
    too_long = await api.client.get("/v1/jobs", params={"account_id": "x" * 65},
                                    headers=auth(key))
    assert too_long.status_code == 422 and "account_id" in too_long.text
