"""The web origin, standing in for https://ideogram.ai: a page to load and the API it calls."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from sandbox.ideogram import api, control
from sandbox.ideogram.state import IdeogramState

PAGE = """<!doctype html><html><head><title>Ideogram</title></head>
<body><main id="root">Ideogram (sandbox)</main></body></html>"""


async def _page() -> HTMLResponse:
    return HTMLResponse(PAGE)


def create_web_app(state: IdeogramState) -> FastAPI:
    app = FastAPI(title="Ideogram web (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ideogram = state
    app.add_exception_handler(api.ApiError, api.handle_api_error)
    app.include_router(api.router)
    app.include_router(control.router)
    app.add_api_route("/", _page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/t/{path:path}", _page, methods=["GET"], response_class=HTMLResponse)
    return app
