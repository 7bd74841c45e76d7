"""`POST /gptgen` of the seed's ChatGPT service: a message (a prompt, an image or both) to the
custom GPT, answered synchronously as the seed did: `{success, conversationId,
assetPointers}` once the `chatgpt/remix_design` job is over (up to WOWZ_SEED_WAIT_S)."""

from fastapi import APIRouter, Request, Response

from producers.http.errors import ApiError
from producers.http.seed.common import SeedBody, Submitter, read_body, start, when_over
from schemas.errors import ErrorCode
from schemas.jobs import Job

router = APIRouter(tags=["seed"])


class GptGen(SeedBody):
    prompt: str | None = None
    imageUrl: str | None = None
    url: str | None = None  # another custom GPT than the account's


def _answer(job: Job) -> dict:
    output = job.output
    return {"success": True, "conversationId": output.conversation_id,
            # the seed's pointers (file-service://...); wowz also stored each image
            "assetPointers": [i.provider_url for i in output.images if i.provider_url],
            "images": [i.url for i in output.images], "text": output.text, "jobId": job.id}


@router.post("/gptgen")
async def gptgen(request: Request, key: Submitter) -> Response:
    """Ask the custom GPT; `images` (stored copies), `text` and `jobId` come with the seed's
    fields."""
    body = await read_body(request, GptGen)
    if not body.prompt and not body.imageUrl:
        raise ApiError(400, ErrorCode.bad_input, "prompt: give a prompt, an imageUrl or both")
    job_input = {"prompt": body.prompt or None, "image_url": body.imageUrl,
                 "gpt_url": body.url}
    starting = start(request, key, "chatgpt", "remix_design",
                     {k: v for k, v in job_input.items() if v is not None},
                     names={"image_url": "imageUrl", "gpt_url": "url"})
    return await when_over(request, starting, _answer)
