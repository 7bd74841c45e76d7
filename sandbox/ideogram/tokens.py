"""The token service stand-in: `GET /token/<account_id>` answers a fresh bearer token as
`{"access_token","expires_in","token_type":"Bearer"}`, or the same JSON inside a `<pre>` of an
HTML page (`?format=html`), as the seed's service served it. Every hit is counted."""

from __future__ import annotations

import html
import json

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sandbox.ideogram.state import IdeogramState


async def _token(request: Request, account_id: str) -> Response:
    state: IdeogramState = request.app.state.ideogram
    if account_id not in state.accounts:
        return JSONResponse({"detail": f"no account {account_id!r}"}, status_code=404)
    state.stats.token_hits[account_id] += 1
    token, ttl = state.issue_token(account_id)
    body = {"access_token": token, "expires_in": ttl, "token_type": "Bearer"}
    if request.query_params.get("format") == "html":
        page = f"<html><body><pre>{html.escape(json.dumps(body))}</pre></body></html>"
        return HTMLResponse(page)
    return JSONResponse(body)


def create_token_app(state: IdeogramState) -> FastAPI:
    app = FastAPI(title="Ideogram token service (sandbox)", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.ideogram = state
    app.add_api_route("/token/{account_id}", _token, methods=["GET"])
    return app
