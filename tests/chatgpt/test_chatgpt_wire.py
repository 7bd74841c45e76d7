"""What the adapter reads from chatgpt.com's wire, and the inputs it accepts."""

import json

import pytest
from pydantic import ValidationError

from consumers.chatgpt import wire
from consumers.providers.fetch import fetch_image
from schemas.errors import BadInput
from schemas.jobs import parse_request

pytestmark = pytest.mark.unit


def sse(*events) -> str:
    return "".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events)


def message(mid, role, parts, status="finished_successfully", content_type="text"):
    return {"message": {"id": mid, "author": {"role": role}, "status": status,
                        "content": {"content_type": content_type, "parts": parts}},
            "conversation_id": "c-1"}


def pointer(file_id):
    return {"content_type": "image_asset_pointer", "asset_pointer": f"file-service://{file_id}"}


def test_the_answer_keeps_generated_images_and_never_the_users_upload():
    answer = wire.parse_stream(sse(
        message("u", "user", [pointer("file-mine"), "remix this"], content_type="multimodal_text"),
        message("a", "assistant", ["Here"], status="in_progress"),
        message("a", "assistant", ["Here it is\n```\na cat\n```"]),
        message("t", "tool", [pointer("file-gen")], content_type="multimodal_text"),
        message("b", "assistant", ["Done."]), "[DONE]"))
    assert answer.done and answer.conversation_id == "c-1"
    assert answer.image_pointers == ["file-service://file-gen"]
    assert answer.text == "Here it is\n```\na cat\n```\n\nDone."
    assert wire.proposed_prompt(answer.text) == "a cat"


def test_a_stream_cut_before_done_is_not_complete():
    assert not wire.parse_stream(sse(message("a", "assistant", ["Hal"], "in_progress"))).done


def test_the_proposed_prompt_is_the_first_fenced_block_whatever_its_language():
    text = "x\n```text\nfirst one\n```\n```\nsecond\n```"
    assert wire.proposed_prompt(text) == "first one"
    assert wire.proposed_prompt("no code here") is None


def test_usage_cap_and_challenge_answers_are_recognised():
    body = json.dumps({"detail": {"code": "model_cap_exceeded", "message": "limit",
                                  "clears_in": 120}})
    assert wire.usage_cap(body) == ("limit", 120.0)
    assert wire.is_challenge(403, {"cf-mitigated": "challenge"}, "")
    assert wire.is_challenge(403, {}, "<title>Just a moment...</title>")
    assert not wire.is_challenge(403, {}, '{"detail": "Forbidden"}')


def test_a_remix_needs_a_prompt_or_an_image_and_a_gpt_url_must_be_a_gpt():
    def remix(**input):
        return parse_request({"provider": "chatgpt", "action": "remix_design", "input": input})

    assert remix(image_url="https://example.com/a.png").input["prompt"] is None
    with pytest.raises(ValidationError, match="give a prompt, an image_url or both"):
        remix()
    with pytest.raises(ValidationError, match="custom GPT"):
        remix(prompt="x", gpt_url="https://chatgpt.com/c/123")
    with pytest.raises(ValidationError, match="http"):
        remix(image_url="file:///etc/passwd")


async def test_an_image_url_on_a_private_address_is_refused_unless_allowed():
    with pytest.raises(BadInput, match="loopback address"):
        await fetch_image("http://127.0.0.1:9/a.png", allow_private=False)
    with pytest.raises(BadInput, match="could not be fetched"):
        await fetch_image("http://127.0.0.1:9/a.png", allow_private=True)
