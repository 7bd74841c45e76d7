"""Ideogram jobs on one account: upload and caption what needs it, submit a sample, follow it
until its responses are all there, download each through the session, store them under
`{job_id}/{response_id}.png`, and return their URLs (and the prompt or caption used)."""

import asyncio
import hashlib
import io
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from PIL import Image as PILImage

from bus.provider_token import ProviderToken
from consumers.ideogram import wire
from consumers.ideogram.client import IdeogramApi
from consumers.providers.context import JobContext
from consumers.providers.fetch import fetch_image
from schemas.errors import BadInput, ErrorCode, ProviderError
from schemas.events import JobRequested
from schemas.inputs.ideogram import (
    IdeogramCustom,
    IdeogramDescribe,
    IdeogramGenerate,
    IdeogramRemix,
    IdeogramRemoveBackground,
    IdeogramUpload,
    IdeogramUpscale,
)
from schemas.jobs import Image, JobOutput
from store import assets, jobs

log = logging.getLogger("wowz.ideogram")

ON_EARLIER_JOB = frozenset({"upscale", "remove_background"})
ON_UPLOAD = frozenset({"describe", "custom"})  # their `image_id` is an earlier upload's


class IdeogramAdapter:
    def __init__(self, api: IdeogramApi, *, user_id: str, bucket: str,
                 allow_private_urls: bool = False, poll_interval_s: float = 1.0,
                 pool: asyncpg.Pool | None = None):
        self.api = api
        self.pool = pool  # to find the images of earlier jobs (upscale, remove_background)
        self.user_id = user_id
        self.bucket = bucket
        self.allow_private_urls = allow_private_urls
        self.poll_interval_s = poll_interval_s
        self._actions: dict[str, Callable[[JobContext], Awaitable[JobOutput]]] = {
            "remix": self._remix, "generate": self._generate, "custom": self._custom,
            "describe": self._describe, "upscale": self._upscale,
            "remove_background": self._remove_background, "upload": self._upload_job}

    async def check_health(self) -> None:
        """A token that the API accepts, on an account that may still generate."""
        answer = await self.api.json("GET", wire.SAMPLING_AVAILABLE)
        if answer.get("sampling_available") is False:
            raise ProviderError("no generations left on the account",
                                code=ErrorCode.quota_exhausted)

    async def account_for(self, job: JobRequested, pool: asyncpg.Pool) -> str | None:
        """An action on an earlier job's image, or on an image an `upload` job put there,
        runs on that job's account: only it sees the image (None: any account may run it)."""
        if job.action in ON_UPLOAD and job.input.get("image_id"):
            return await assets.upload_owner(pool, job.input["image_id"])
        source_id = job.input.get("job_id") if job.action in ON_EARLIER_JOB else None
        source = await jobs.get_job(pool, source_id) if source_id else None
        return source.account_id if source else None

    async def run(self, ctx: JobContext) -> JobOutput:
        adapter = self if ctx.provider_token is None else self._on_token(ctx.provider_token)
        return await adapter._actions[ctx.job.action](ctx)

    def _on_token(self, token: ProviderToken) -> "IdeogramAdapter":
        """This account's browser session, calling with the client's own token for one job
        (and the user id it came with, else the account's, as for a token of this account)."""
        return IdeogramAdapter(self.api.with_token(token.value),
                               user_id=token.user_id or self.user_id, bucket=self.bucket,
                               allow_private_urls=self.allow_private_urls,
                               poll_interval_s=self.poll_interval_s, pool=self.pool)

    async def _remix(self, ctx: JobContext) -> JobOutput:
        job = IdeogramRemix.model_validate(ctx.job.input)
        prompt = job.prompt
        if ctx.provider_job_id is None:
            image_id = await self._upload(job.image_url)
            if job.captioned:
                await ctx.progress(1, "describing")
                prompt = wire.parse_caption(
                    await self.api.json("POST", wire.DESCRIBE, wire.describe_body(image_id)))
            await self._sample(ctx, job, prompt, wire.variation(image_id, job.image_weight))
        return await self._finish(ctx, job.num_images, prompt)

    async def _generate(self, ctx: JobContext) -> JobOutput:
        job = IdeogramGenerate.model_validate(ctx.job.input)
        if ctx.provider_job_id is None:
            await self._sample(ctx, job, job.prompt, None)
        return await self._finish(ctx, job.num_images, job.prompt)

    async def _custom(self, ctx: JobContext) -> JobOutput:
        job = IdeogramCustom.model_validate(ctx.job.input)
        if ctx.provider_job_id is None:
            await self._sample(ctx, job, job.prompt,
                               wire.variation(job.image_id, job.parent_weight))
        return await self._finish(ctx, job.num_images, job.prompt)

    async def _describe(self, ctx: JobContext) -> JobOutput:
        job = IdeogramDescribe.model_validate(ctx.job.input)
        image_id = job.image_id or await self._upload(job.image_url)
        caption = wire.parse_caption(
            await self.api.json("POST", wire.DESCRIBE, wire.describe_body(image_id)))
        return JobOutput(text=caption)

    async def _upload_job(self, ctx: JobContext) -> JobOutput:
        job = IdeogramUpload.model_validate(ctx.job.input)
        return JobOutput(text=await self._upload(job.image_url))

    async def _upscale(self, ctx: JobContext) -> JobOutput:
        job = IdeogramUpscale.model_validate(ctx.job.input)
        prompt = job.prompt
        if ctx.provider_job_id is None:
            request_id, response_id, source_prompt = job.request_id, job.response_id, None
            if job.job_id is not None:
                request_id, response_id, source_prompt = await self._image_of(job.job_id,
                                                                              job.index)
            prompt = prompt or source_prompt or ""
            await self._submit(ctx, wire.sample_body(
                prompt=prompt, user_id=self.user_id, model_version=job.model_version,
                magic_prompt="OFF", style="AUTO", width=1024, height=1024, num_images=1,
                parent=wire.super_res(request_id, response_id, job.weight)))
        return await self._finish(ctx, 1, prompt)

    async def _remove_background(self, ctx: JobContext) -> JobOutput:
        job = IdeogramRemoveBackground.model_validate(ctx.job.input)
        if job.job_id is not None:
            _, asset_id, _ = await self._image_of(job.job_id, job.index)
            asset_type = "RESPONSE"
        else:
            asset_id, asset_type = await self._upload(job.image_url), "UPLOAD"
        answer = await self.api.json("POST", wire.REMOVE_BACKGROUND,
                                     wire.remove_background_body(asset_id, asset_type))
        if not answer.get("asset_id"):
            raise ProviderError(f"background removal answered {str(answer)[:200]}")
        await ctx.progress(100, "storing")
        return JobOutput(images=[await self._store(ctx, 0, answer["asset_id"])])

    async def _image_of(self, job_id: str, index: int) -> tuple[str, str, str | None]:
        """(request_id, response_id, prompt) of image `index` of a completed Ideogram job."""
        source = await jobs.get_job(self.pool, job_id) if self.pool is not None else None
        if source is None or source.provider != "ideogram" or source.output is None:
            raise BadInput(f"input.job_id: no completed ideogram job {job_id}")
        found = [i for i in source.output.images if i.index == index and i.response_id]
        if not found or not source.provider_job_id:
            raise BadInput(f"input.index: job {job_id} has no image {index}")
        return source.provider_job_id, found[0].response_id, source.output.prompt

    async def _upload(self, image_url: str) -> str:
        source = await fetch_image(image_url, allow_private=self.allow_private_urls)
        return await self.api.upload(source.data, source.name, source.content_type)

    async def _sample(self, ctx: JobContext, job, prompt: str, parent: dict | None) -> None:
        await self._submit(ctx, wire.sample_body(
            prompt=prompt, user_id=self.user_id, model_version=job.model_version,
            magic_prompt=job.magic_prompt, style=job.style, width=job.resolution.width,
            height=job.resolution.height, num_images=job.num_images, parent=parent))

    async def _submit(self, ctx: JobContext, body: dict) -> None:
        async def send() -> str:
            answer = await self.api.json("POST", wire.SAMPLE, body)
            if not answer.get("request_id"):
                raise ProviderError(f"sample answered no request_id: {str(answer)[:200]}")
            return answer["request_id"]

        await ctx.submit(send)

    async def _finish(self, ctx: JobContext, expected: int, prompt: str | None) -> JobOutput:
        generation = await self._wait(ctx, expected)
        await ctx.progress(100, "storing")
        images = await asyncio.gather(*(self._store(ctx, index, response_id) for index,
                                        response_id in enumerate(generation.response_ids)))
        return JobOutput(images=list(images), text=prompt or generation.prompt,
                         prompt=prompt or generation.prompt)

    async def _wait(self, ctx: JobContext, expected: int) -> wire.Generation:
        """Poll the request's metadata: progress as responses arrive, until all are there."""
        path = wire.metadata_path(ctx.provider_job_id)
        while True:
            generation = wire.parse_metadata(await self.api.json("GET", path), expected)
            if generation.failed:
                raise ProviderError("Ideogram failed the generation", retryable=False)
            if generation.done:
                return generation
            await ctx.progress(len(generation.response_ids) * 90 // expected,
                               "generating")
            await asyncio.sleep(self.poll_interval_s)

    async def _store(self, ctx: JobContext, index: int, response_id: str) -> Image:
        path = wire.download_path(response_id)
        data = await self.api.download(path)
        width, height = PILImage.open(io.BytesIO(data)).size
        url = await ctx.objects.put(self.bucket, f"{ctx.job.job_id}/{response_id}.png", data,
                                    "image/png")
        return Image(url=url, provider_url=self.api.session.origin + path, width=width,
                     height=height, sha256=hashlib.sha256(data).hexdigest(), index=index,
                     response_id=response_id)

    async def close(self) -> None:
        await self.api.session.close()


