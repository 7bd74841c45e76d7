"""What the Midjourney adapter says to midjourney.com."""

import base64
import json

import pytest

from consumers.midjourney import wire
from schemas.inputs import MidjourneyOptions

pytestmark = pytest.mark.unit


def test_the_prompt_carries_the_seed_defaults_as_flags():
    prompt = wire.build_prompt("a fox", MidjourneyOptions().model_dump())
    assert prompt == "a fox --chaos 5 --ar 4:3 --stylize 150 --weird 200 --v 7"


def test_every_option_becomes_its_flag():
    options = MidjourneyOptions(chaos=0, ar="16:9", stylize=0, weird=0, quality=0.5, stop=50,
                                no="text", seed=42, sref="https://x/s.png", iw=1.5, niji=6,
                                tile=True).model_dump()
    assert wire.build_prompt("cat", options) == (
        "cat --chaos 0 --ar 16:9 --stylize 0 --weird 0 --q 0.5 --stop 50 --no text --seed 42 "
        "--sref https://x/s.png --iw 1.5 --niji 6 --tile")


def test_the_submit_body_is_the_web_apps():
    body = wire.imagine_body(prompt="p", user_id="u1", mode="relax", private=True)
    assert body == {"f": {"mode": "relax", "private": True}, "channelId": "singleplayer_u1",
                    "roomId": None, "metadata": {}, "t": "imagine", "prompt": "p"}


def test_a_refused_submit_says_why():
    with pytest.raises(wire.SubmitRefused, match="community"):
        wire.parse_submit({"success": [], "failure": [{"message": "against our community"}]})
    assert wire.is_moderation("Sorry! Our AI moderator thinks this prompt is banned")


def test_status_list_is_read_by_job_id():
    statuses = wire.parse_status([{"id": "a", "current_status": "running",
                                   "percentage_complete": 40}])
    assert statuses["a"].percent == 40 and statuses["a"].state == "running"


def test_the_user_id_comes_from_the_id_token():
    payload = base64.urlsafe_b64encode(json.dumps({"midjourney_id": "mj-u"}).encode()).decode()
    cookies = [{"name": wire.ID_TOKEN_COOKIE, "value": f"h.{payload.rstrip('=')}.s"}]
    assert wire.user_id_from_cookies(cookies) == "mj-u"
