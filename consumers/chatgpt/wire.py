"""Everything chatgpt.com shows and says that the adapter relies on, in one place: page
selectors, URLs, the `/backend-api/conversation` event stream, asset pointers and the answers
that mean "logged out", "prove you are human" or "usage cap". When the site changes, this
module changes."""

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

COMPOSER = "#prompt-textarea"
SEND_BUTTON = "[data-testid=composer-submit-button]"
STOP_BUTTON = "[data-testid=stop-button]"
FILE_INPUT = "input[type=file]"
LOGIN_BUTTON = "[data-testid=login-button]"
GENERATED_IMAGE = 'img[alt="Generated image"]'
CONVERSATION_IN_URL = re.compile(r"/c/([A-Za-z0-9-]+)")
# The last answer as the page shows it: the turns after the user's last one, code blocks
# (rendered as <pre>) written back as fenced blocks, so the proposed prompt is found as in the
# stream's markdown.
LAST_ANSWER_JS = """() => {
  const turns = [...document.querySelectorAll('[data-message-author-role]')];
  const last = turns.map(t => t.dataset.messageAuthorRole).lastIndexOf('user');
  const answer = turns.slice(last + 1);
  const text = (turn) => {
    const copy = turn.cloneNode(true);
    copy.querySelectorAll('pre').forEach(pre => pre.replaceWith(
      '\\n```\\n' + pre.textContent + '\\n```\\n'));
    return copy.textContent;
  };
  return {texts: answer.map(text),
          images: answer.flatMap(t => [...t.querySelectorAll('img[alt="Generated image"]')]
                                        .map(img => img.src))};
}"""

CONVERSATION = "/backend-api/conversation"
RECENT_IMAGES = "/backend-api/my/recent/image_gen"
CHALLENGE_HEADER = "cf-mitigated"
CHALLENGE_TEXTS = ("verify you are human", "just a moment")
ASSET_SCHEMES = ("file-service://", "sediment://")
_FENCED = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def conversation_page(conversation_id: str | None) -> str:
    """Where a chat happens: a new conversation on the home page, or an existing one."""
    return f"/c/{conversation_id}" if conversation_id else "/"


def file_download(file_id: str) -> str:
    """Answers `{"status": "success", "download_url": ...}` for a file of the account."""
    return f"/backend-api/files/{file_id}/download"


def recent_images(limit: int, cursor: str | None) -> str:
    """Answers `{"items": [{"id", "url", "width", "height", "prompt", ...}], "cursor"}`."""
    return f"{RECENT_IMAGES}?{urlencode({'limit': limit, **({'after': cursor} if cursor else {})})}"


def is_conversation_post(method: str, url: str) -> bool:
    return method == "POST" and urlsplit(url).path == CONVERSATION


def is_challenge(status: int, headers: dict[str, str], text: str) -> bool:
    lowered = text[:5000].lower()
    return headers.get(CHALLENGE_HEADER) == "challenge" or (
        status == 403 and any(t in lowered for t in CHALLENGE_TEXTS))


def usage_cap(text: str) -> tuple[str, float | None]:
    """The message and `clears_in` (seconds) of a 429 from the conversation endpoint."""
    try:
        detail = json.loads(text).get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, dict):
        clears_in = detail.get("clears_in")
        return str(detail.get("message") or "usage cap"), float(clears_in) if clears_in else None
    return str(detail or "usage cap reached"), None


def pointer_file_id(pointer: Any) -> str | None:
    for scheme in ASSET_SCHEMES:
        if isinstance(pointer, str) and pointer.startswith(scheme):
            return pointer.removeprefix(scheme)
    return None


@dataclass
class Answer:
    """What the stream said: the conversation, the assistant's finished texts in order, and
    the generated images (asset pointers of messages not written by the user)."""

    conversation_id: str | None = None
    texts: list[str] = field(default_factory=list)
    image_pointers: list[str] = field(default_factory=list)
    done: bool = False

    @property
    def understood(self) -> bool:
        """Whether the stream said anything we read (a new encoding would leave this empty)."""
        return bool(self.texts or self.image_pointers)

    @property
    def text(self) -> str:
        return "\n\n".join(t for t in self.texts if t.strip())


def parse_stream(body: str) -> Answer:
    """The SSE body of `POST /backend-api/conversation` once it ended: each `data:` line holds
    the latest state of one message; `[DONE]` closes it."""
    answer = Answer()
    messages: dict[str, dict] = {}
    for chunk in body.split("\n\n"):
        data = "\n".join(line.removeprefix("data:").strip() for line in chunk.splitlines()
                         if line.startswith("data:"))
        if data == "[DONE]":
            answer.done = True
            continue
        try:
            event = json.loads(data) if data else None
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        answer.conversation_id = event.get("conversation_id") or answer.conversation_id
        message = event.get("message")
        if isinstance(message, dict) and message.get("id"):
            messages[message["id"]] = message
    for message in messages.values():
        role = (message.get("author") or {}).get("role")
        content = message.get("content") or {}
        parts = content.get("parts") or []
        if role == "user":
            continue  # the user's own upload is never a generated image
        if role == "assistant" and message.get("status") == "finished_successfully":
            answer.texts.append("".join(p for p in parts if isinstance(p, str)))
        for part in parts:
            if (isinstance(part, dict) and part.get("content_type") == "image_asset_pointer"
                    and pointer_file_id(part.get("asset_pointer"))):
                answer.image_pointers.append(part["asset_pointer"])
    return answer


def proposed_prompt(text: str) -> str | None:
    """The prompt the GPT proposes: the first fenced code block of its answer."""
    match = _FENCED.search(text)
    return match.group(1).strip() if match else None
