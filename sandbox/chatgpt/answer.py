"""The answer to a message, streamed as `/backend-api/conversation` does: the user's message
echoed, the assistant's text growing over `answer_s`, then (in a custom GPT's conversation) the
image tool's generated images, the closing words, and `[DONE]`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

from sandbox.chatgpt import wire
from sandbox.chatgpt.state import Account, ChatGPTState, Conversation
from sandbox.images import render_png

STEPS = 5


def proposed_prompt(prompt: str, with_image: bool) -> str:
    """The prompt the stand-in GPT proposes (in the answer's first fenced code block)."""
    subject = prompt.strip() or "the attached design"
    return f"Remixed product design: {subject}" + (", keeping the uploaded layout"
                                                    if with_image else "")


def answer_text(chat: Conversation, prompt: str, with_image: bool) -> str:
    if chat.gizmo_id:
        return ("Here is a fresh take on your design.\n\n```\n"
                f"{proposed_prompt(prompt, with_image)}\n```\n\nGenerating it now.")
    return f"You said: {prompt.strip()}" + (" (with an image)" if with_image else "")


def stream_answer(state: ChatGPTState, account: Account, chat: Conversation, user: dict,
                  parent: str | None, *, prompt: str, hang: bool,
                  delta: bool = False) -> StreamingResponse:
    now = state.clock()
    with_image = any(isinstance(p, dict) for p in user["content"].get("parts", []))
    user_message = wire.message(user.get("id") or str(uuid.uuid4()), "user", user["content"],
                                status="finished_successfully", created=now,
                                metadata=user.get("metadata") or {})
    chat.add(user_message, parent if parent in chat.mapping else chat.current_node)
    text = answer_text(chat, prompt, with_image)

    def event(msg: dict[str, Any]) -> bytes:
        data = {"message": msg, "conversation_id": chat.conversation_id, "error": None}
        return wire.sse({"p": "", "o": "add", "v": data}, "delta") if delta else wire.sse(data)

    async def body() -> AsyncIterator[bytes]:
        state.stats.streams_open += 1
        try:
            if delta:
                yield wire.sse('"v1"', "delta_encoding")
            yield event(user_message)
            reply_id = str(uuid.uuid4())
            pause = state.config.answer_s / (STEPS + 1)
            for step in range(1, STEPS + 1):
                await asyncio.sleep(pause)
                partial = text[: len(text) * step // STEPS]
                yield event(wire.message(reply_id, "assistant", wire.text_content(partial),
                                         status="in_progress", created=now))
                if hang:
                    await asyncio.Event().wait()  # the answer never finishes
            reply = wire.message(reply_id, "assistant", wire.text_content(text),
                                 status="finished_successfully", created=now, end_turn=False)
            chat.add(reply, user_message["id"])
            yield event(reply)
            if chat.gizmo_id and state.config.images_per_answer:
                tool = await _generate(state, account, chat, proposed_prompt(prompt, with_image))
                chat.add(tool, reply_id)
                yield event(tool)
            await asyncio.sleep(pause)
            closing = wire.message(str(uuid.uuid4()), "assistant",
                                   wire.text_content("Done." if chat.gizmo_id else ""),
                                   status="finished_successfully", created=now, end_turn=True)
            chat.add(closing, chat.current_node)
            yield event(closing)
            yield wire.sse("[DONE]")
            state.stats.answers_s += state.clock() - now
        finally:
            state.stats.streams_open -= 1

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache"})


async def _generate(state: ChatGPTState, account: Account, chat: Conversation,
                    prompt: str) -> dict[str, Any]:
    """The image tool's message: each generated image rendered and kept as a file."""
    size = state.config.image_size
    parts = []
    for index in range(state.config.images_per_answer):
        file = state.add_file(account, f"image_{index}.png", "image/png", generated=True,
                              prompt=prompt, width=size, height=size,
                              conversation_id=chat.conversation_id)
        file.data = await asyncio.to_thread(render_png, seed=file.file_id, index=index,
                                            prompt=prompt, width=size, height=size)
        parts.append(wire.image_part(file.file_id, size, size, len(file.data), prompt))
    return wire.message(str(uuid.uuid4()), "tool", {"content_type": "multimodal_text",
                                                    "parts": parts},
                        status="finished_successfully", created=state.clock(),
                        name=wire.IMAGE_TOOL)
