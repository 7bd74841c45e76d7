"""The ChatGPT stand-in over HTTP, as the chatgpt.com page talks to it: a session cookie from
logging in, uploads in three steps, the answer as server-sent events, files behind the session."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from PIL import Image

pytestmark = pytest.mark.unit

SESSION = "__Secure-next-auth.session-token"


@pytest.fixture
async def chatgpt(running_sandbox):
    async with httpx.AsyncClient(base_url=running_sandbox.chatgpt_url) as control:
        (await control.post("/_sandbox/reset")).raise_for_status()
        (await control.post("/_sandbox/config", json={"answer_s": 0.1, "images_per_answer": 2,
                                                      "image_size": 64})).raise_for_status()
        yield control


async def logged_in(chatgpt: httpx.AsyncClient, account_id: str) -> httpx.AsyncClient:
    login = await chatgpt.get(f"/_sandbox/login/{account_id}")
    assert login.status_code == 303
    return httpx.AsyncClient(base_url=str(chatgpt.base_url),
                             cookies={SESSION: login.cookies[SESSION]})


def events(body: str) -> list:
    out = []
    for chunk in body.strip().split("\n\n"):
        assert chunk.startswith("data: ")
        data = chunk.removeprefix("data: ")
        out.append(data if data == "[DONE]" else json.loads(data))
    return out


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def ask(prompt: str, *, gizmo_id: str | None = "g-remix", conversation_id: str | None = None,
        pointers: tuple[str, ...] = ()) -> dict:
    parts = [{"content_type": "image_asset_pointer", "asset_pointer": p} for p in pointers]
    return {"action": "next", "model": "auto", "gizmo_id": gizmo_id,
            "conversation_id": conversation_id, "parent_message_id": "root",
            "messages": [{"id": "m-1", "author": {"role": "user"},
                          "content": {"content_type": "multimodal_text", "parts": [*parts, prompt]}}]}


async def test_login_sets_a_secure_month_long_session_cookie(chatgpt):
    login = await chatgpt.get("/_sandbox/login/gpt-1?next=/g/g-remix")
    cookie = login.headers["set-cookie"]
    assert login.headers["location"] == "/g/g-remix"
    assert cookie.startswith(SESSION + "=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Max-Age=2592000" in cookie


async def test_without_a_session_the_pages_show_the_login_wall_and_the_api_refuses(chatgpt):
    page = await chatgpt.get("/g/g-remix")
    assert 'data-testid="login-button"' in page.text and "prompt-textarea" not in page.text
    refused = await chatgpt.post("/backend-api/conversation", json=ask("hi"))
    assert refused.status_code == 401


async def test_a_logged_in_profile_gets_the_composer_and_loses_it_on_logout(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        page = await http.get("/g/g-remix")
        assert 'id="prompt-textarea"' in page.text
        assert 'data-testid="composer-submit-button"' in page.text
        assert 'type="file"' in page.text
        await chatgpt.post("/_sandbox/accounts/gpt-1/logout")
        assert 'data-testid="login-button"' in (await http.get("/g/g-remix")).text


async def test_a_remix_streams_text_with_a_fenced_prompt_then_generated_images(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        created = (await http.post("/backend-api/files", json={"file_name": "a.png"})).json()
        put = await http.put(created["upload_url"], content=png(),
                             headers={"x-ms-blob-type": "BlockBlob", "content-type": "image/png"})
        assert put.status_code == 201
        uploaded = await http.post(f"/backend-api/files/{created['file_id']}/uploaded", json={})
        assert uploaded.json()["status"] == "success"
        answer = await http.post("/backend-api/conversation", json=ask(
            "a red cat", pointers=("file-service://" + created["file_id"],)))
        assert answer.headers["content-type"].startswith("text/event-stream")
        stream = events(answer.text)
        assert stream[-1] == "[DONE]"
        conversation_id = stream[0]["conversation_id"]
        roles = [e["message"]["author"]["role"] for e in stream[:-1]]
        assert roles[0] == "user" and "tool" in roles and roles[-1] == "assistant"
        text = next(e["message"]["content"]["parts"][0] for e in stream[:-1]
                    if e["message"]["author"]["role"] == "assistant"
                    and e["message"]["status"] == "finished_successfully")
        assert "```\nRemixed product design: a red cat, keeping the uploaded layout\n```" in text
        tool = next(e["message"] for e in stream[:-1] if e["message"]["author"]["role"] == "tool")
        pointers = [p["asset_pointer"] for p in tool["content"]["parts"]]
        assert len(pointers) == 2 and all(p.startswith("file-service://file-") for p in pointers)
        file_id = pointers[0].removeprefix("file-service://")
        link = (await http.get(f"/backend-api/files/{file_id}/download")).json()
        image = await http.get(link["download_url"])
        assert image.content.startswith(b"\x89PNG")
        assert Image.open(io.BytesIO(image.content)).size == (64, 64)
        tree = (await http.get(f"/backend-api/conversation/{conversation_id}")).json()
        assert tree["gizmo_id"] == "g-remix" and len(tree["mapping"]) == 4
    assert (await chatgpt.get("/_sandbox/stats")).json()["image_downloads"] == 1


async def test_files_and_conversations_are_private_to_their_account(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as one, await logged_in(chatgpt, "gpt-2") as two:
        stream = events((await one.post("/backend-api/conversation", json=ask("mine"))).text)
        conversation_id = stream[0]["conversation_id"]
        assert (await two.get(f"/backend-api/conversation/{conversation_id}")).status_code == 404
        again = await two.post("/backend-api/conversation",
                               json=ask("yours?", conversation_id=conversation_id))
        assert again.status_code == 404


async def test_a_chat_outside_a_gpt_answers_text_only_and_continues_its_conversation(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        first = events((await http.post("/backend-api/conversation",
                                        json=ask("hello", gizmo_id=None))).text)
        conversation_id = first[0]["conversation_id"]
        second = events((await http.post("/backend-api/conversation", json=ask(
            "again", gizmo_id=None, conversation_id=conversation_id))).text)
    assert second[0]["conversation_id"] == conversation_id
    assert not [e for e in second[:-1] if e["message"]["author"]["role"] == "tool"]
    texts = [e["message"]["content"]["parts"][0] for e in second[:-1]]
    assert "You said: again" in texts


async def test_the_usage_cap_answers_429_with_when_it_clears_until_lifted(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        capped = await http.post("/backend-api/conversation", json=ask("one more sandbox:cap"))
        assert capped.status_code == 429
        assert capped.json()["detail"]["code"] == "model_cap_exceeded"
        assert capped.json()["detail"]["clears_in"] > 0
        assert (await http.post("/backend-api/conversation", json=ask("hi"))).status_code == 429
        await chatgpt.post("/_sandbox/accounts/gpt-1/capped", json={"on": False})
        assert (await http.post("/backend-api/conversation", json=ask("hi"))).status_code == 200


async def test_a_human_check_shows_cloudflares_challenge_on_pages_and_api(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        await chatgpt.post("/_sandbox/accounts/gpt-1/human_check", json={"on": True})
        page = await http.get("/g/g-remix")
        assert page.status_code == 403 and page.headers["cf-mitigated"] == "challenge"
        assert "Verify you are human" in page.text
        refused = await http.post("/backend-api/conversation", json=ask("hi"))
        assert refused.status_code == 403


async def test_recent_images_are_paged_newest_first(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        for prompt in ("first", "second"):
            await http.post("/backend-api/conversation", json=ask(prompt))
        page = (await http.get("/backend-api/my/recent/image_gen?limit=3")).json()
        rest = (await http.get(f"/backend-api/my/recent/image_gen?limit=3&after={page['cursor']}"
                               )).json()
    assert len(page["items"]) == 3 and len(rest["items"]) == 1 and rest["cursor"] is None
    assert "second" in page["items"][0]["prompt"] and "first" in rest["items"][0]["prompt"]


async def test_a_delta_trigger_streams_in_the_newer_delta_encoding(chatgpt):
    async with await logged_in(chatgpt, "gpt-1") as http:
        body = (await http.post("/backend-api/conversation", json=ask("hi sandbox:delta"))).text
    chunks = body.strip().split("\n\n")
    assert chunks[0] == 'event: delta_encoding\ndata: "v1"'
    first = json.loads(chunks[1].removeprefix("event: delta\ndata: "))
    assert first["o"] == "add" and first["v"]["message"]["author"]["role"] == "user"
    assert chunks[-1] == "data: [DONE]"
