"""The HTML of the stand-in: the chat page (composer `#prompt-textarea`, the send button, the
file input, the thread) for a logged-in profile, the login wall otherwise."""

from __future__ import annotations

import html
from pathlib import Path

CHAT_SCRIPT = (Path(__file__).parent / "chat.js").read_text()

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatGPT</title></head>
<body><main><h1>Get started</h1>
<button data-testid="login-button">Log in</button>
<button data-testid="signup-button">Sign up for free</button></main></body></html>
"""


def chat_page(*, gizmo_id: str | None, conversation_id: str | None) -> str:
    data = (f' data-gizmo-id="{html.escape(gizmo_id)}"' if gizmo_id else "") + (
        f' data-conversation-id="{html.escape(conversation_id)}"' if conversation_id else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatGPT</title></head>
<body{data}>
<main>
  <div id="thread" role="presentation"></div>
  <form id="composer" onsubmit="return false">
    <div id="attachments"></div>
    <input type="file" id="upload-files" multiple accept="image/*" hidden>
    <div id="prompt-textarea" contenteditable="true" role="textbox"
         aria-label="Message ChatGPT"></div>
    <button type="button" data-testid="composer-submit-button" aria-label="Send prompt"
            disabled>Send</button>
    <button type="button" data-testid="stop-button" aria-label="Stop streaming"
            hidden>Stop</button>
  </form>
</main>
<script>{CHAT_SCRIPT}</script>
</body></html>
"""
