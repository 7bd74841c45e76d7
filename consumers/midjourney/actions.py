"""What to submit for each `midjourney/<action>` job: the input model, and the submit body built
from it (image URLs uploaded first, the parent job looked up for actions on a finished job).
`describe` submits nothing: it is answered at once (see the adapter)."""

from collections.abc import Awaitable, Callable
from typing import Any

from consumers.midjourney import wire
from consumers.providers.context import JobContext
from schemas.errors import BadInput
from schemas.inputs.midjourney import (
    MidjourneyBlend,
    MidjourneyImagine,
    MidjourneyPan,
    MidjourneyReroll,
    MidjourneyUpscale,
    MidjourneyVary,
    MidjourneyVideo,
    MidjourneyZoom,
    OnJob,
)
from schemas.jobs import JobStatus
from store import jobs as store_jobs

Upload = Callable[[str], Awaitable[str]]  # user image URL -> Midjourney's short URL



class ParentElsewhere(Exception):
    """The parent job belongs to another account: only that account may act on it."""

    def __init__(self, account_id: str):
        super().__init__(f"the parent job belongs to account {account_id}")
        self.account_id = account_id


async def parent_of(ctx: JobContext, job_id: str) -> tuple[str, dict[str, Any]]:
    """(provider job id, input) of a completed Midjourney job of this account."""
    job = await store_jobs.get_job(ctx.pool, job_id)
    if job is None or job.provider != "midjourney":
        raise BadInput(f"no Midjourney job {job_id}")
    if job.status != JobStatus.completed or not job.provider_job_id:
        raise BadInput(f"job {job_id} is {job.status}, not completed")
    if job.account_id != ctx.account_id:
        raise ParentElsewhere(job.account_id or "?")
    return job.provider_job_id, job.input


async def _imagine(ctx: JobContext, user_id: str, mode: str, upload: Upload) -> dict[str, Any]:
    job = MidjourneyImagine.model_validate(ctx.job.input)
    options = job.options
    urls = [await upload(url) for url in job.image_urls]
    prompt = wire.build_prompt(" ".join([*urls, job.prompt]), options.model_dump())
    return wire.imagine_body(prompt=prompt, user_id=user_id, mode=options.mode or mode,
                             private=options.private)


async def _blend(ctx: JobContext, user_id: str, mode: str, upload: Upload) -> dict[str, Any]:
    job = MidjourneyBlend.model_validate(ctx.job.input)
    urls = [await upload(url) for url in job.image_urls]
    prompt = f"{' '.join(urls)} --ar {wire.BLEND_AR[job.dimensions]}"
    return wire.imagine_body(prompt=prompt, user_id=user_id, mode=job.mode or mode, private=False)


async def _reroll(ctx: JobContext, user_id: str, mode: str, _upload: Upload) -> dict[str, Any]:
    job = MidjourneyReroll.model_validate(ctx.job.input)
    _, parent_input = await parent_of(ctx, job.job_id)
    parent = MidjourneyImagine.model_validate(parent_input)
    return wire.imagine_body(
        prompt=wire.build_prompt(parent.prompt, parent.options.model_dump()),
        user_id=user_id, mode=job.mode or mode, private=parent.options.private)


def _on_job(model: type[OnJob]):
    async def build(ctx: JobContext, user_id: str, mode: str, _upload: Upload) -> dict[str, Any]:
        job = model.model_validate(ctx.job.input)
        parent_id, _ = await parent_of(ctx, job.job_id)
        t, fields = wire.on_job_fields(ctx.job.action, parent_id, job.index,
                                       job.model_dump(exclude={"job_id", "index", "mode"}))
        return wire.action_body(t, user_id=user_id, mode=job.mode or mode, **fields)
    return build


async def _video(ctx: JobContext, user_id: str, mode: str, upload: Upload) -> dict[str, Any]:
    job = MidjourneyVideo.model_validate(ctx.job.input)
    if job.job_id is not None:
        parent_id, _ = await parent_of(ctx, job.job_id)
        fields = wire.video_fields(prompt=job.prompt, motion=job.motion,
                                   parent=(parent_id, job.index))
    else:
        fields = wire.video_fields(prompt=job.prompt, motion=job.motion,
                                   image_url=await upload(job.image_url))
    return wire.action_body("video", user_id=user_id, mode=job.mode or mode, **fields)


# (context, user id, the account's mode for jobs that name none, upload) -> submit body
BUILDERS: dict[str, Callable[[JobContext, str, str, Upload], Awaitable[dict[str, Any]]]] = {
    "imagine": _imagine, "blend": _blend, "reroll": _reroll, "video": _video,
    "upscale": _on_job(MidjourneyUpscale), "vary": _on_job(MidjourneyVary),
    "pan": _on_job(MidjourneyPan), "zoom": _on_job(MidjourneyZoom),
}
