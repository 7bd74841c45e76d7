"""Midjourney jobs on one account: submit through the web API, follow the status, download the
outputs through the session, store them, and return their URLs."""

import asyncio
import base64
import hashlib
import io
import json
import logging
import os
import time
from pathlib import Path

import asyncpg
from PIL import Image as PILImage

from bus import metrics
from consumers.midjourney import wire
from consumers.midjourney.actions import BUILDERS, ParentElsewhere
from consumers.midjourney.poller import StatusPoller
from consumers.providers.browser import BrowserSession, Response
from consumers.providers.context import JobContext
from consumers.providers.fetch import fetch_image
from consumers.providers.memory import profile_pss
from schemas.errors import AuthExpired, BadInput, ErrorCode, Moderated, ProviderError, RateLimited
from schemas.events import JobRequested
from schemas.inputs.midjourney import MidjourneyDescribe
from schemas.jobs import Image, JobOutput
from store import jobs as store_jobs

log = logging.getLogger("wowz.midjourney")

# Sends a file as the web app's upload does: multipart `file`, from the page (same cookies).
UPLOAD_JS = """async ([url, headers, b64, type]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const form = new FormData();
  form.append("file", new Blob([bytes], {type}), "image." + type.split("/")[1]);
  const response = await fetch(url, {method: "POST", headers, body: form, credentials: "include"});
  return {status: response.status, headers: Object.fromEntries(response.headers),
          text: await response.text()};
}"""


class MidjourneyAdapter:
    def __init__(self, session: BrowserSession, *, cdn_url: str, user_id: str, bucket: str,
                 account_id: str = "", mode: str = "fast", allow_private_urls: bool = False,
                 cookies_path: Path | None = None, refresh_margin_s: float = 300.0,
                 poll_interval_s: float = 1.0, poll_fast_s: float = 0.1,
                 recycle_after_jobs: int | None = None, recycle_above_mb: int | None = None):
        self.session = session
        self.cdn_url = cdn_url
        self.user_id = user_id
        self.bucket = bucket
        self.account_id = account_id
        self.mode = mode
        self.allow_private_urls = allow_private_urls
        self.cookies_path = cookies_path
        self.refresh_margin_s = refresh_margin_s
        self.poller = StatusPoller(self._statuses, interval_s=poll_interval_s,
                                   fast_s=poll_fast_s)
        self._refreshing = asyncio.Lock()
        self.recycle_after_jobs = recycle_after_jobs
        self.recycle_above_mb = recycle_above_mb
        self._in_flight = 0
        self._jobs_since_launch = 0
        self.recycles = 0

    async def check_health(self) -> None:
        """Logged in when the imagine bar is on /imagine (as the seed checked)."""
        await self._fresh_token()
        page = await self.session.goto(wire.START_PAGE)
        if await page.locator(wire.ACTION_NEEDED).count():
            raise ProviderError(f"action needed (captcha) on {wire.START_PAGE}",
                                code=ErrorCode.captcha_required, retryable=False)
        if await page.locator(wire.IMAGINE_BAR).count() == 0:
            raise AuthExpired(f"not logged in: no imagine bar on {wire.START_PAGE}")

    async def account_for(self, job: JobRequested, pool: asyncpg.Pool) -> str | None:
        """The account that must run `job`: the one owning its parent job, if it has one."""
        parent_id = job.input.get("job_id") if job.action != "imagine" else None
        if not parent_id:
            return None
        parent = await store_jobs.get_job(pool, parent_id)
        return parent.account_id if parent else None

    async def run(self, ctx: JobContext) -> JobOutput:
        self._in_flight += 1
        try:
            return await self._run(ctx)
        finally:
            self._in_flight -= 1
            self._jobs_since_launch += 1
            await self._maybe_recycle()

    async def _maybe_recycle(self) -> None:
        """Close Chromium between jobs (none in flight) after N jobs or above a memory ceiling;
        the next call launches a fresh one. A running job is never cut off."""
        if self._in_flight:
            return
        pss = await asyncio.to_thread(profile_pss, self.session.profile_dir)
        metrics.BROWSER_BYTES.labels("midjourney", self.account_id).set(pss)
        too_many = self.recycle_after_jobs and self._jobs_since_launch >= self.recycle_after_jobs
        too_big = self.recycle_above_mb and pss > self.recycle_above_mb * 2**20
        if too_many or too_big:
            log.info("recycling the browser", extra={"account": self.account_id,
                                                     "jobs": self._jobs_since_launch})
            self._jobs_since_launch = 0
            self.recycles += 1
            await self.session.close()

    async def _run(self, ctx: JobContext) -> JobOutput:
        if ctx.job.action == "describe":
            return await self._describe(ctx)
        if ctx.provider_job_id is None:
            try:
                body = await BUILDERS[ctx.job.action](ctx, self.user_id, self.mode, self._upload)
            except ParentElsewhere as exc:
                raise ProviderError(str(exc)) from None  # retried; routing puts it right
            await ctx.submit(lambda: self._submit(body))
        status = await self.poller.wait(
            ctx.provider_job_id, lambda percent: ctx.progress(percent, "generating"))
        if status.state != wire.DONE:
            raise ProviderError(f"Midjourney ended the job as {status.state!r}", retryable=False)
        await ctx.progress(100, "storing")
        if ctx.job.action == "video":
            return JobOutput(videos=await self._store_videos(ctx, status.batch_size))
        return JobOutput(images=await self._store_images(ctx, status.batch_size))

    async def _submit(self, body: dict) -> str:
        """The provider's job id for the submitted `body`."""
        try:
            return wire.parse_submit(await self._call(wire.SUBMIT, body)).job_id
        except wire.SubmitRefused as exc:
            message = str(exc)
            raise (Moderated if wire.is_moderation(message) else BadInput)(message) from None

    async def _describe(self, ctx: JobContext) -> JobOutput:
        job = MidjourneyDescribe.model_validate(ctx.job.input)
        image_url = await self._upload(job.image_url)
        prompts = wire.parse_describe(await self._call(wire.DESCRIBE, {"image_url": image_url}))
        return JobOutput(text="\n".join(prompts))

    async def _upload(self, url: str) -> str:
        """A user's image, fetched and checked, uploaded to Midjourney: its short URL."""
        image = await fetch_image(url, allow_private=self.allow_private_urls)
        data, content_type = image.data, image.content_type
        await self._fresh_token()
        page = await self.session.page()
        result = await page.evaluate(UPLOAD_JS, [
            self.session.origin + wire.UPLOAD, wire.HEADERS,
            base64.b64encode(data).decode(), content_type])
        response = Response(result["status"], result["headers"], result["text"])
        _raise_for(response, wire.UPLOAD)
        return wire.parse_upload(response.json())

    async def _store_images(self, ctx: JobContext, count: int) -> list[Image]:
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

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    async def _store_videos(self, ctx: JobContext, count: int) -> list[str]:
        async def one(index: int) -> str:
            data, _ = await self.session.download(
                wire.video_url(self.cdn_url, ctx.provider_job_id, index))
            return await ctx.objects.put(self.bucket, f"{ctx.job.job_id}/video_{index}.mp4",
                                         data, "video/mp4")

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    async def _statuses(self, job_ids: list[str]) -> dict[str, wire.Status]:
        return wire.parse_status(await self._call(wire.STATUS, {"jobIds": job_ids}))

    async def _call(self, path: str, body: dict) -> dict:
        await self._fresh_token()
        response = await self.session.fetch("POST", path, json_body=body, headers=wire.HEADERS)
        _raise_for(response, path)
        return response.json()

    async def _fresh_token(self) -> None:
        """Refresh the id token before it expires (when there is a refresh token), and write
        the new cookies back to the account's file."""
        expiry = wire.token_expiry(self.session.cookies)
        if expiry is None or expiry - time.time() > self.refresh_margin_s:
            return
        async with self._refreshing:
            expiry = wire.token_expiry(self.session.cookies)
            if expiry is None or expiry - time.time() > self.refresh_margin_s:
                return  # another call refreshed it meanwhile
            response = await self.session.fetch("POST", wire.REFRESH, json_body={},
                                                headers=wire.HEADERS)
            if response.status != 200:
                log.warning("token refresh refused: HTTP %s", response.status,
                            extra={"account": self.account_id})
                return  # the next call's 401 marks the account unhealthy
            cookies = wire.refreshed_cookies(self.session.cookies, response.json())
            await self.session.set_cookies(cookies)
            if self.cookies_path is not None:
                _write_atomically(self.cookies_path, json.dumps(cookies, indent=1))
            log.info("id token refreshed", extra={"account": self.account_id})

    async def close(self) -> None:
        await self.session.close()


def _write_atomically(path: Path, text: str) -> None:
    """Readable by the service user only, as the accounts loader requires of credentials."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
        file.write(text)
    tmp.chmod(0o600)  # when the .tmp was left by an older run with another mode
    tmp.replace(path)


def _raise_for(response: Response, path: str) -> None:
    if wire.is_challenge(response.status, response.text):
        raise ProviderError(f"{path}: Midjourney asks for an action (captcha)",
                            code=ErrorCode.captcha_required, retryable=False)
    if response.status in (401, 403):
        raise AuthExpired(f"{path}: HTTP {response.status}")
    if response.status == 429:
        retry_after = response.headers.get("retry-after")
        raise RateLimited(f"{path}: HTTP 429",
                          retry_after=float(retry_after) if retry_after else None)
    if response.status >= 500:
        raise ProviderError(f"{path}: HTTP {response.status}")
    if response.status >= 400:
        message = response.text[:300]
        raise (Moderated if wire.is_moderation(message) else BadInput)(
            f"{path}: HTTP {response.status}: {message}")
