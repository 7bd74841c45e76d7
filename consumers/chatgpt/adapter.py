"""ChatGPT jobs on one account: open the GPT (or the conversation) in the account's profile,
attach the image, type the prompt, send, and read the answer from the `/backend-api/conversation`
stream the page receives; then download the generated images through the session and store them.

A logged-out profile, Cloudflare's human check and the usage cap are the account's problem, not
the job's: they raise AccountUnavailable, so the account pauses and the job goes to another."""

import asyncio
import hashlib
import io
import logging
import time

from PIL import Image as PILImage
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from consumers.chatgpt import wire
from consumers.providers.browser import BrowserSession
from consumers.providers.context import JobContext
from consumers.providers.fetch import SourceImage, fetch_image
from schemas.errors import AuthExpired, BadInput, ErrorCode, ProviderError, RateLimited
from schemas.inputs.chatgpt import ChatGPTChat, ChatGPTRecentImages, ChatGPTRemixDesign
from schemas.jobs import Image, JobOutput

log = logging.getLogger("wowz.chatgpt")

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # the issue allows 20 MB here, 10 MB elsewhere


class AccountUnavailable(AuthExpired):
    """The account cannot take jobs now (its code says why); its jobs go to other accounts."""


class ChatGPTAdapter:
    def __init__(self, session: BrowserSession, *, gpt_url: str, bucket: str,
                 allow_private_urls: bool = False):
        self.session = session
        self.gpt_url = gpt_url
        self.origin = wire.origin(gpt_url)
        self.bucket = bucket
        self.allow_private_urls = allow_private_urls
        self.capped_until = 0.0

    async def check_health(self) -> None:
        if time.time() < self.capped_until:
            raise RateLimited(f"usage cap: clears in {self.capped_until - time.time():.0f} s",
                              retry_after=self.capped_until - time.time())
        page = await self.session.page()
        response = await page.goto(self.gpt_url, wait_until="domcontentloaded")
        await self._check_page(page, response.status if response else 200,
                               response.headers if response else {})

    async def run(self, ctx: JobContext) -> JobOutput:
        if ctx.job.action == "recent_images":
            return await self._recent_images(ctx)
        if ctx.job.action == "chat":
            job = ChatGPTChat.model_validate(ctx.job.input)
            url = self.origin + wire.conversation_page(job.conversation_id)
        else:
            job = ChatGPTRemixDesign.model_validate(ctx.job.input)
            url = job.gpt_url or self.gpt_url
            if wire.origin(url) != self.origin:  # the logged-in browser goes nowhere else
                raise BadInput(f"gpt_url must be a GPT on {self.origin}, not on "
                               f"{wire.origin(url)}")
        image = None
        if job.image_url:
            image = await fetch_image(job.image_url, allow_private=self.allow_private_urls,
                                      max_bytes=MAX_IMAGE_BYTES)
        answer = await self._ask(ctx, url, job.prompt, image)
        ctx.provider_job_id = answer.conversation_id
        if ctx.job.action == "chat":
            return JobOutput(text=answer.text, conversation_id=answer.conversation_id)
        await ctx.progress(90, "storing")
        return JobOutput(text=answer.text, prompt=wire.proposed_prompt(answer.text),
                         conversation_id=answer.conversation_id,
                         images=await self._store(ctx, answer.image_pointers))

    async def _ask(self, ctx: JobContext, url: str, prompt: str | None,
                   image: SourceImage | None) -> wire.Answer:
        page = await self.session.page()
        try:
            response = await page.goto(url, wait_until="domcontentloaded")
            await self._check_page(page, response.status if response else 200,
                                   response.headers if response else {})
            if image is not None:
                await page.set_input_files(wire.FILE_INPUT, files=[{
                    "name": image.name, "mimeType": image.content_type, "buffer": image.data}])
            if prompt:
                await page.locator(wire.COMPOSER).fill(prompt)
            async with page.expect_response(
                    lambda r: wire.is_conversation_post(r.request.method, r.url),
                    timeout=60_000) as sent:
                await page.locator(wire.SEND_BUTTON).click()  # waits until the upload is done
            stream = await sent.value
            await ctx.progress(10, "answering")
            body = await stream.text()  # returns once the answer is complete
        except PlaywrightError as exc:
            raise ProviderError(f"the browser failed during the answer: {exc.message[:200]}",
                                retryable=True) from None
        if stream.status != 200:
            self._refused(stream.status, stream.headers, body)
        answer = wire.parse_stream(body)
        if not answer.understood:
            return await self._from_page(page)
        if not answer.done:
            raise ProviderError("the answer stream ended before it was complete")
        return answer

    async def _from_page(self, page: Page) -> wire.Answer:
        """The answer as the page shows it, for a stream we could not read: once the stop
        button is gone, the turns after the user's, and their generated images."""
        await page.locator(wire.STOP_BUTTON).wait_for(state="hidden", timeout=0)
        shown = await page.evaluate(wire.LAST_ANSWER_JS)
        found = wire.CONVERSATION_IN_URL.search(page.url)
        log.warning("answer read from the page: the stream's format was not understood")
        return wire.Answer(conversation_id=found.group(1) if found else None,
                           texts=[t for t in shown["texts"] if t.strip()],
                           image_pointers=shown["images"], done=True)

    async def _check_page(self, page: Page, status: int, headers: dict[str, str]) -> None:
        if wire.is_challenge(status, headers, await page.content()):
            raise AccountUnavailable("chatgpt.com asks to verify a human",
                                     code=ErrorCode.captcha_required)
        if await page.locator(wire.LOGIN_BUTTON).count():
            raise AccountUnavailable("not logged in: chatgpt.com shows its login wall")
        if not await page.locator(wire.COMPOSER).count():
            raise ProviderError(f"no composer on {page.url} (HTTP {status})")

    def _refused(self, status: int, headers: dict[str, str], body: str) -> None:
        if wire.is_challenge(status, headers, body):
            raise AccountUnavailable("chatgpt.com asks to verify a human",
                                     code=ErrorCode.captcha_required)
        if status in (401, 403):
            raise AccountUnavailable(f"{wire.CONVERSATION}: HTTP {status}")
        if status == 429:
            message, clears_in = wire.usage_cap(body)
            self.capped_until = time.time() + (clears_in or 3600)
            raise AccountUnavailable(f"usage cap: {message}", code=ErrorCode.rate_limited)
        raise ProviderError(f"{wire.CONVERSATION}: HTTP {status}: {body[:200]}",
                            retryable=status >= 500)

    async def _recent_images(self, ctx: JobContext) -> JobOutput:
        job = ChatGPTRecentImages.model_validate(ctx.job.input)
        path = wire.recent_images(job.limit, job.cursor)
        response = await self.session.fetch("GET", path)
        if response.status != 200:
            self._refused(response.status, response.headers, response.text)
        page = response.json()
        pointers = [item.get("asset_pointer") or item["url"] for item in page.get("items", [])]
        return JobOutput(images=await self._store(ctx, pointers), cursor=page.get("cursor"))

    async def _store(self, ctx: JobContext, sources: list[str]) -> list[Image]:
        """Each image (an asset pointer, or the address the page showed it at) downloaded
        through the session and stored."""
        async def one(index: int, pointer: str) -> Image:
            file_id = wire.pointer_file_id(pointer)
            source = pointer
            if file_id is not None:
                link = await self.session.fetch("GET", wire.file_download(file_id))
                if link.status != 200:
                    raise ProviderError(f"{wire.file_download(file_id)}: HTTP {link.status}")
                source = link.json()["download_url"]
            else:
                file_id = hashlib.sha256(pointer.encode()).hexdigest()[:24]
            data, content_type = await self.session.download(source)
            width, height = PILImage.open(io.BytesIO(data)).size
            url = await ctx.objects.put(self.bucket, f"{ctx.job.job_id}/{file_id}.png", data,
                                        content_type if content_type.startswith("image/")
                                        else "image/png")
            return Image(url=url, provider_url=pointer, width=width, height=height,
                         sha256=hashlib.sha256(data).hexdigest(), index=index)

        return list(await asyncio.gather(*(one(i, s) for i, s in enumerate(sources))))

    async def close(self) -> None:
        await self.session.close()
