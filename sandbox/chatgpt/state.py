"""In-memory state of the ChatGPT stand-in: config, accounts and their sessions, uploaded files,
conversations (message trees), generated images and counters."""

from __future__ import annotations

import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Trigger(StrEnum):
    """Failures a test can ask for by writing `sandbox:<value>` in a prompt."""

    HANG = "hang"  # the answer starts streaming and never finishes
    CAP = "cap"  # the usage cap is reached on this message
    HUMAN = "human"  # Cloudflare asks to verify a human on this message
    DELTA = "delta"  # the answer streams in the newer delta encoding (`event: delta`, `v`)


@dataclass
class ChatGPTConfig:
    answer_s: float = 2.0
    images_per_answer: int = 1
    image_size: int = 256
    cap_clears_in_s: int = 3600

    def update(self, changes: dict[str, Any]) -> None:
        if "answer_s" in changes:
            self.answer_s = max(0.0, float(changes["answer_s"]))
        if "images_per_answer" in changes:
            self.images_per_answer = max(0, int(changes["images_per_answer"]))
        if "image_size" in changes:
            self.image_size = max(16, int(changes["image_size"]))

    def as_json(self) -> dict[str, Any]:
        return {"answer_s": self.answer_s, "images_per_answer": self.images_per_answer,
                "image_size": self.image_size}


@dataclass
class Account:
    account_id: str
    session_token: str
    logged_out: bool = False
    human_check: bool = False
    capped: bool = False


@dataclass
class File:
    file_id: str
    account_id: str
    name: str
    content_type: str
    data: bytes = b""
    generated: bool = False
    prompt: str = ""
    width: int = 0
    height: int = 0
    conversation_id: str | None = None
    created_at: float = 0.0


@dataclass
class Conversation:
    conversation_id: str
    account_id: str
    gizmo_id: str | None
    title: str
    mapping: dict[str, dict[str, Any]] = field(default_factory=dict)
    current_node: str | None = None

    def add(self, message: dict[str, Any], parent: str | None) -> None:
        self.mapping[message["id"]] = {"id": message["id"], "message": message,
                                       "parent": parent, "children": []}
        if parent in self.mapping:
            self.mapping[parent]["children"].append(message["id"])
        self.current_node = message["id"]


@dataclass
class Stats:
    messages: Counter[str] = field(default_factory=Counter)
    uploads: int = 0
    image_downloads: int = 0
    streams_open: int = 0
    answers_s: float = 0.0  # summed time from a message's arrival to its stream's end

    def as_json(self) -> dict[str, Any]:
        return {"messages": self.messages.total(), "messages_by_account": dict(self.messages),
                "uploads": self.uploads, "image_downloads": self.image_downloads,
                "streams_open": self.streams_open, "answers_s": round(self.answers_s, 4)}


class ChatGPTState:
    def __init__(self, config: ChatGPTConfig, clock: Callable[[], float] = time.time):
        self.config = config
        self.clock = clock
        self.accounts: dict[str, Account] = {}
        self._by_token: dict[str, str] = {}
        self.files: dict[str, File] = {}
        self.conversations: dict[str, Conversation] = {}
        self.stats = Stats()

    def login(self, account_id: str) -> Account:
        """The account (created when new) with a fresh session token; a logout is undone."""
        account = self.accounts.get(account_id)
        if account is None:
            account = self.accounts[account_id] = Account(account_id, "")
        self._by_token.pop(account.session_token, None)
        account.session_token = secrets.token_urlsafe(32)
        account.logged_out = False
        self._by_token[account.session_token] = account_id
        return account

    def account_for(self, token: str | None) -> Account | None:
        account = self.accounts.get(self._by_token.get(token or "", ""))
        return None if account is None or account.logged_out else account

    def add_file(self, account: Account, name: str, content_type: str, **more: Any) -> File:
        file = File(file_id="file-" + uuid.uuid4().hex[:24], account_id=account.account_id,
                    name=name, content_type=content_type, created_at=self.clock(), **more)
        self.files[file.file_id] = file
        return file

    def conversation(self, account: Account, conversation_id: str | None,
                     gizmo_id: str | None, title: str) -> Conversation | None:
        """The account's conversation, a new one when no id is given, None when not its own."""
        if conversation_id:
            found = self.conversations.get(conversation_id)
            return found if found and found.account_id == account.account_id else None
        new = Conversation(str(uuid.uuid4()), account.account_id, gizmo_id, title[:60])
        self.conversations[new.conversation_id] = new
        return new

    def recent_images(self, account: Account) -> list[File]:
        mine = [f for f in self.files.values()
                if f.generated and f.account_id == account.account_id]
        return sorted(mine, key=lambda f: f.created_at, reverse=True)

    def reset(self) -> None:
        """Forget files, conversations and counters; accounts stay (their flags cleared)."""
        self.files.clear()
        self.conversations.clear()
        self.stats = Stats()
        for account in self.accounts.values():
            account.human_check = account.capped = False
