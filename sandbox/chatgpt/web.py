"""The origin standing in for https://chatgpt.com: pages, `/backend-api/*` and `/_sandbox/*`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from sandbox.chatgpt import api, control, pages, wire
from sandbox.chatgpt.state import ChatGPTState


def _page(request: Request, gizmo_id: str | None = None,
          conversation_id: str | None = None) -> HTMLResponse:
    """The chat for a logged-in profile, the login wall without a session, Cloudflare's
    challenge when the account is asked to prove it is human."""
    state: ChatGPTState = request.app.state.chatgpt
    account = state.account_for(request.cookies.get(wire.SESSION_COOKIE))
    if account is None:
        return HTMLResponse(pages.LOGIN_PAGE)
    if account.human_check:
        return HTMLResponse(wire.CHALLENGE_PAGE, status_code=403,
                            headers={"cf-mitigated": "challenge"})
    return HTMLResponse(pages.chat_page(gizmo_id=gizmo_id, conversation_id=conversation_id))


def create_web_app(state: ChatGPTState) -> FastAPI:
    app = FastAPI(title="chatgpt.com (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.chatgpt = state
    app.add_exception_handler(api.Refused, api.handle_refused)
    app.include_router(api.router)
    app.include_router(control.router)
    for path in ("/", "/g/{gizmo_id}", "/c/{conversation_id}", "/g/{gizmo_id}/c/{conversation_id}"):
        app.add_api_route(path, _page, methods=["GET"], response_class=HTMLResponse)
    return app
