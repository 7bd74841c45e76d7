"""Midjourney jobs on one account: submit through the web API, follow the status, download the
four images through the session, store them, and return their URLs."""

import asyncio
import hashlib
import io
import logging
import time

from PIL import Image as PILImage

from consumers.midjourney import wire
from consumers.midjourney.poller import StatusPoller
from consumers.providers.browser import BrowserSession, Response
from consumers.providers.context import JobContext
from schemas.errors import AuthExpired, BadInput, Moderated, ProviderError, RateLimited
from schemas.inputs import MidjourneyImagine
from schemas.jobs import Image, JobOutput

log = logging.getLogger("wowz.midjourney")


class MidjourneyAdapter:
    def __init__(self, session: BrowserSession, *, cdn_url: str, user_id: str, bucket: str,
                 poll_interval_s: float = 1.0, poll_fast_s: float = 0.1):
        self.session = session
        self.cdn_url = cdn_url
        self.user_id = user_id
        self.bucket = bucket
        self.poller = StatusPoller(self._statuses, interval_s=poll_interval_s,
                                   fast_s=poll_fast_s)

    async def check_health(self) -> None:
        """Logged in when the imagine bar is on /imagine (as the seed checked)."""
        page = await self.session.goto(wire.START_PAGE)
        if await page.locator(wire.IMAGINE_BAR).count() == 0:
            raise AuthExpired(f"not logged in: no imagine bar on {wire.START_PAGE}")

    async def run(self, ctx: JobContext) -> JobOutput:
        job = MidjourneyImagine.model_validate(ctx.job.input)
        if ctx.provider_job_id is None:
            options = job.options
            prompt = wire.build_prompt(job.prompt, options.model_dump())
            data = await self._call(wire.SUBMIT, wire.imagine_body(
                prompt=prompt, user_id=self.user_id, mode=options.mode, private=options.private))
            try:
                submitted = wire.parse_submit(data)
            except wire.SubmitRefused as exc:
                message = str(exc)
                raise (Moderated if wire.is_moderation(message) else BadInput)(message) from None
            await ctx.submitted(submitted.job_id)
        status = await self.poller.wait(
            ctx.provider_job_id, lambda percent: ctx.progress(percent, "generating"))
        if status.state != wire.DONE:
            raise ProviderError(f"Midjourney ended the job as {status.state!r}", retryable=False)
        await ctx.progress(100, "storing")
        return JobOutput(images=await self._store_images(ctx))

    async def _store_images(self, ctx: JobContext) -> list[Image]:
        idea_id = ctx.job.metadata.get("idea_id")
        folder = f"product_design/{idea_id}" if idea_id else ctx.job.job_id
        stamp = int(time.time() * 1000)

        async def one(index: int) -> Image:
            source = wire.image_url(self.cdn_url, ctx.provider_job_id, index)
            data, _ = await self.session.download(source)
            width, height = PILImage.open(io.BytesIO(data)).size
            url = await ctx.objects.put(self.bucket, f"{folder}/generated_{stamp}_{index}.png",
                                        data, "image/png")
            return Image(url=url, provider_url=source, width=width, height=height,
                         sha256=hashlib.sha256(data).hexdigest(), index=index)

        return list(await asyncio.gather(*(one(i) for i in range(wire.IMAGES_PER_JOB))))

    async def _statuses(self, job_ids: list[str]) -> dict[str, wire.Status]:
        return wire.parse_status(await self._call(wire.STATUS, {"jobIds": job_ids}))

    async def _call(self, path: str, body: dict) -> dict:
        response = await self.session.fetch("POST", path, json_body=body, headers=wire.HEADERS)
        _raise_for(response, path)
        return response.json()

    async def close(self) -> None:
        await self.session.close()


def _raise_for(response: Response, path: str) -> None:
    if response.status in (401, 403):
        raise AuthExpired(f"{path}: HTTP {response.status}")
    if response.status == 429:
        retry_after = response.headers.get("retry-after")
        raise RateLimited(f"{path}: HTTP 429",
                          retry_after=float(retry_after) if retry_after else None)
    if response.status >= 500:
        raise ProviderError(f"{path}: HTTP {response.status}")
    if response.status >= 400:
        raise BadInput(f"{path}: HTTP {response.status}: {response.text[:300]}")
