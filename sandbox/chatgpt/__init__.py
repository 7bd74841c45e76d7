"""The ChatGPT stand-in: one origin (pages, backend API, files) and its in-memory state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from sandbox.chatgpt.state import ChatGPTConfig, ChatGPTState
from sandbox.chatgpt.web import create_web_app


@dataclass
class ChatGPTStandIn:
    state: ChatGPTState
    web: FastAPI


def create_chatgpt(config: ChatGPTConfig | None = None) -> ChatGPTStandIn:
    state = ChatGPTState(config or ChatGPTConfig())
    return ChatGPTStandIn(state=state, web=create_web_app(state))
