"""The web origin, standing in for https://www.midjourney.com."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from sandbox.midjourney import api, control, pages, wire
from sandbox.midjourney.errors import ApiError, handle_api_error
from sandbox.midjourney.state import MidjourneyState


def _page(request: Request) -> HTMLResponse:
    """The imagine page for a signed-in browser, the login page otherwise; 200 either way."""
    state: MidjourneyState = request.app.state.midjourney
    account = state.account_for_token(request.cookies.get(wire.ID_TOKEN_COOKIE))
    if account is None:
        return HTMLResponse(pages.LOGIN_PAGE)
    if account.action_needed:
        return HTMLResponse(wire.ACTION_NEEDED_PAGE, status_code=403)
    return HTMLResponse(pages.imagine_page(user_id=account.user_id, cdn_url=state.cdn_url))


def create_web_app(state: MidjourneyState) -> FastAPI:
    app = FastAPI(title="Midjourney web (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.midjourney = state
    app.add_exception_handler(ApiError, handle_api_error)
    app.include_router(api.router)
    app.include_router(control.router)
    app.add_api_route("/", _page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/imagine", _page, methods=["GET"], response_class=HTMLResponse)
    return app
