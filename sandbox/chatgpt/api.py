"""The `/backend-api/*` endpoints the chatgpt.com page calls: file uploads, the conversation
stream, the message tree, file downloads and the recent generated images."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from sandbox.chatgpt import wire
from sandbox.chatgpt.answer import stream_answer
from sandbox.chatgpt.state import Account, ChatGPTState, Trigger

router = APIRouter()


class Refused(Exception):
    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


async def handle_refused(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return exc.response


def _state(request: Request) -> ChatGPTState:
    return request.app.state.chatgpt


def challenge() -> Refused:
    return Refused(HTMLResponse(wire.CHALLENGE_PAGE, status_code=403,
                                headers={"cf-mitigated": "challenge"}))


async def caller(request: Request) -> Account:
    account = _state(request).account_for(request.cookies.get(wire.SESSION_COOKIE))
    if account is None:
        raise Refused(JSONResponse({"detail": "Unauthorized"}, status_code=401))
    if account.human_check:
        raise challenge()
    return account


Caller = Annotated[Account, Depends(caller)]


def _not_found(what: str) -> Refused:
    return Refused(JSONResponse({"detail": f"{what} not found"}, status_code=404))


def _own_file(state: ChatGPTState, account: Account, file_id: str):
    file = state.files.get(file_id)
    if file is None or file.account_id != account.account_id:
        raise _not_found("File")
    return file


@router.post("/backend-api/files")
async def create_file(request: Request, account: Caller) -> dict[str, Any]:
    body = await request.json()
    file = _state(request).add_file(account, str(body.get("file_name") or "upload"),
                                    "application/octet-stream")
    return {"status": "success", "file_id": file.file_id,
            "upload_url": f"{str(request.base_url).rstrip('/')}/_blob/{file.file_id}"}


@router.put("/_blob/{file_id}")
async def put_blob(request: Request, file_id: str) -> Response:
    """The blob store the upload URL points at (its address is the permission, as a SAS is)."""
    file = _state(request).files.get(file_id)
    if file is None or request.headers.get("x-ms-blob-type") != "BlockBlob":
        return Response(status_code=400)
    file.data = await request.body()
    file.content_type = request.headers.get("content-type", "application/octet-stream")
    return Response(status_code=201)


@router.post("/backend-api/files/{file_id}/uploaded")
async def file_uploaded(request: Request, file_id: str, account: Caller) -> dict[str, Any]:
    state = _state(request)
    file = _own_file(state, account, file_id)
    if not file.data:
        raise Refused(JSONResponse({"detail": "upload not found"}, status_code=400))
    state.stats.uploads += 1
    return {"status": "success", "download_url": _download_url(request, file.file_id)}


def _download_url(request: Request, file_id: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/backend-api/estuary/content?id={file_id}"


@router.get("/backend-api/files/{file_id}/download")
async def file_download(request: Request, file_id: str, account: Caller) -> dict[str, Any]:
    file = _own_file(_state(request), account, file_id)
    return {"status": "success", "download_url": _download_url(request, file_id),
            "file_name": file.name}


@router.get("/backend-api/estuary/content")
async def estuary(request: Request, id: str, account: Caller) -> Response:
    state = _state(request)
    file = _own_file(state, account, id)
    if file.generated:
        state.stats.image_downloads += 1
    return Response(file.data, media_type=file.content_type)


@router.post("/backend-api/conversation")
async def conversation(request: Request, account: Caller) -> Response:
    state = _state(request)
    body = await request.json()
    [user] = body.get("messages") or [None]
    if not isinstance(user, dict) or body.get("action") != "next":
        raise Refused(JSONResponse({"detail": "bad request"}, status_code=400))
    parts = (user.get("content") or {}).get("parts") or []
    prompt = " ".join(p for p in parts if isinstance(p, str))
    triggers = {Trigger(t) for t in re.findall(r"sandbox:(\w+)", prompt)
                if t in Trigger.__members__.values()}
    if Trigger.HUMAN in triggers:
        account.human_check = True
        raise challenge()
    if Trigger.CAP in triggers:
        account.capped = True
    if account.capped:
        detail = {**wire.CAP_DETAIL, "clears_in": state.config.cap_clears_in_s}
        raise Refused(JSONResponse({"detail": detail}, status_code=429))
    for part in parts:
        if isinstance(part, dict):
            _own_file(state, account, wire.pointer_file_id(part.get("asset_pointer")) or "")
    chat = state.conversation(account, body.get("conversation_id"), body.get("gizmo_id"), prompt)
    if chat is None:
        raise _not_found("Conversation")
    state.stats.messages[account.account_id] += 1
    return stream_answer(state, account, chat, user, body.get("parent_message_id"),
                         prompt=prompt, hang=Trigger.HANG in triggers,
                         delta=Trigger.DELTA in triggers)


@router.get("/backend-api/conversation/{conversation_id}")
async def message_tree(request: Request, conversation_id: str, account: Caller) -> dict:
    chat = _state(request).conversation(account, conversation_id, None, "")
    if chat is None:
        raise _not_found("Conversation")
    return {"conversation_id": chat.conversation_id, "title": chat.title,
            "gizmo_id": chat.gizmo_id, "mapping": chat.mapping, "current_node": chat.current_node}


@router.get("/backend-api/my/recent/image_gen")
async def recent_images(request: Request, account: Caller, limit: int = 25,
                        after: str | None = None) -> dict[str, Any]:
    images = _state(request).recent_images(account)
    start = int(after) if after and after.isdigit() else 0
    page = images[start:start + max(1, min(limit, 100))]
    more = start + len(page) < len(images)
    return {"items": [{"id": f.file_id, "url": _download_url(request, f.file_id),
                       "width": f.width, "height": f.height, "title": f.prompt[:60],
                       "prompt": f.prompt, "created_at": f.created_at,
                       "asset_pointer": wire.ASSET_SCHEME + f.file_id,
                       "conversation_id": f.conversation_id} for f in page],
            "cursor": str(start + len(page)) if more else None}
