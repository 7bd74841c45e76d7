"""`/api/*` of the seed's Ideogram service that answered at once with a job id: remix,
generate-variations, gencustom. Same bodies and defaults; each is an `ideogram/*` job."""

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import Field

from producers.http.seed.common import SeedBody, Submitter, answer, metadata, read_body, start

router = APIRouter(prefix="/api", tags=["seed"])

SEED_MODEL = "V_3_0"  # the model version the seed asked Ideogram for
VARIATIONS = {"width": 832, "height": 1248}  # the seed's portrait default
REMIX_NAMES = {"image_url": "imageUrl", "image_weight": "imageWeight",
               "magic_prompt": "magicPrompt", "prompt_source": "promptSource"}


class Remix(SeedBody):
    imageUrl: str
    prompt: str = ""
    idea_id: str | None = None
    user_id: str | None = None
    imageWeight: Any = 70
    magicPrompt: Any = "AUTO"
    style: Any = "AUTO"
    promptSource: Any = "AUTO"  # AUTO: Ideogram's caption of the image; MANUAL: the prompt
    resolution: Any = Field(default_factory=lambda: {"width": 800, "height": 1280})
    num_images: Any = 1


class Variations(SeedBody):
    imageUrl: str
    idea_id: str | None = None
    user_id: str | None = None
    imageWeight: Any = 70
    magicPrompt: Any = "AUTO"
    style: Any = "AUTO"


class GenCustom(SeedBody):
    imageId: str
    promptText: str
    idea_id: str | None = None
    user_id: str | None = None
    style_expert: Any = "AUTO"
    use_autoprompt_option: Any = "ON"
    parent_type: Literal["VARIATION"] = "VARIATION"
    parent_weight: Any = 50
    resolution: Any = Field(default_factory=lambda: VARIATIONS)
    num_images: Any = 4


@router.post("/remix")
async def remix(request: Request, key: Submitter) -> Response:
    """Variations of an image, captioned by Ideogram unless `promptSource` is MANUAL with a
    prompt. `{success, jobId, message}`; poll `GET /api/job/{jobId}` or use a webhook."""
    body = await read_body(request, Remix)
    # As the seed: a MANUAL source without a prompt falls back to the caption.
    source = "AUTO" if body.promptSource == "MANUAL" and not body.prompt else body.promptSource
    job = await start(request, key, "ideogram", "remix", {
        "image_url": body.imageUrl, "prompt": body.prompt or None, "prompt_source": source,
        "image_weight": body.imageWeight, "magic_prompt": body.magicPrompt, "style": body.style,
        "resolution": body.resolution, "num_images": body.num_images,
        "model_version": SEED_MODEL},
        metadata(idea_id=body.idea_id, user_id=body.user_id), names=REMIX_NAMES)
    return answer({"success": True, "jobId": job.id,
                   "message": "Job started. Processing in background."})


@router.post("/generate-variations")
async def generate_variations(request: Request, key: Submitter) -> Response:
    """Four variations of an image, prompted by Ideogram's caption of it. `{success, jobId}`."""
    body = await read_body(request, Variations)
    job = await start(request, key, "ideogram", "remix", {
        "image_url": body.imageUrl, "prompt_source": "AUTO", "image_weight": body.imageWeight,
        "magic_prompt": body.magicPrompt, "style": body.style, "resolution": VARIATIONS,
        "num_images": 4, "model_version": SEED_MODEL},
        metadata(idea_id=body.idea_id, user_id=body.user_id), names=REMIX_NAMES)
    return answer({"success": True, "jobId": job.id})


@router.post("/gencustom")
async def gencustom(request: Request, key: Submitter) -> Response:
    """Variations of an image uploaded by `/api/upload` (`imageId`) with a prompt; it runs on
    the account that holds the upload. `{success, jobId}`."""
    body = await read_body(request, GenCustom)
    job = await start(request, key, "ideogram", "custom", {
        "image_id": body.imageId, "prompt": body.promptText,
        "parent_weight": body.parent_weight, "style": body.style_expert,
        "magic_prompt": body.use_autoprompt_option, "resolution": body.resolution,
        "num_images": body.num_images, "model_version": SEED_MODEL},
        metadata(idea_id=body.idea_id, user_id=body.user_id),
        names={"image_id": "imageId", "prompt": "promptText", "style": "style_expert",
               "magic_prompt": "use_autoprompt_option"})
    return answer({"success": True, "jobId": job.id})
