"""Everything ideogram.ai's web API says on the wire, in one place: endpoints, request bodies,
response shapes. When the site changes, this module changes.

`SAMPLING_AVAILABLE` (whether the account may generate) is where the account's quota shows; a
sample refused for quota answers 403 with `"sampling_available": false`."""

from dataclasses import dataclass
from typing import Any

START_PAGE = "/"
UPLOAD = "/api/uploads/upload"
DESCRIBE = "/api/describe"
SAMPLE = "/api/images/sample"
SAMPLING_AVAILABLE = "/api/account/sampling_available"
REMOVE_BACKGROUND = "/api/images/masks/removeImageBackground"
CAPTIONER = "V_3_0"
# The web app's "sampling speed" of a normal (not turbo, not queued) generation.
SAMPLING_SPEED = -2
MODERATION_WORDS = ("content policy", "moderat", "nsfw", "flagged", "violat")


def metadata_path(request_id: str) -> str:
    return f"/api/images/retrieve_metadata_request_id/{request_id}"


def download_path(response_id: str) -> str:
    return f"/api/download/response/{response_id}/image?quality=PNG"


def describe_body(image_id: str) -> dict[str, str]:
    return {"image_id": image_id, "captioner_model_version": CAPTIONER}


def parse_caption(data: Any) -> str:
    """`[{"caption": ...}]`: the first caption."""
    if isinstance(data, list) and data and isinstance(data[0], dict) and data[0].get("caption"):
        return str(data[0]["caption"])
    raise ValueError("describe answered no caption")


def sample_body(*, prompt: str, user_id: str, model_version: str, magic_prompt: str,
                style: str, width: int, height: int, num_images: int,
                parent: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"prompt": prompt, "user_id": user_id, "private": True,
            "model_version": model_version, "use_autoprompt_option": magic_prompt,
            "sampling_speed": SAMPLING_SPEED, "style_expert": style,
            "resolution": {"width": width, "height": height}, "num_images": num_images}
    if parent is not None:
        body["parent"] = parent
    return body


def variation(image_id: str, weight: int) -> dict[str, Any]:
    return {"image_id": image_id, "weight": weight, "type": "VARIATION"}


def super_res(request_id: str, response_id: str, weight: int = 100) -> dict[str, Any]:
    return {"request_id": request_id, "response_id": response_id, "weight": weight,
            "type": "SUPER_RES"}


def remove_background_body(asset_id: str, asset_type: str = "RESPONSE") -> dict[str, str]:
    return {"asset_type": asset_type, "asset_id": asset_id}


@dataclass
class Generation:
    response_ids: list[str]
    done: bool
    failed: bool
    prompt: str | None


def parse_metadata(data: dict[str, Any], expected: int) -> Generation:
    """`responses[]` fill in as images finish; done when all are there."""
    responses = [r["response_id"] for r in data.get("responses") or [] if r.get("response_id")]
    done = bool(data.get("is_completed")) or len(responses) >= expected
    return Generation(responses, done, bool(data.get("is_failed")), data.get("user_prompt"))


def is_moderation(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in MODERATION_WORDS)
