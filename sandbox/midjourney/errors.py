"""Errors the stand-in answers with, in Midjourney's JSON error shape."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None):
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def bad_request(error: str, message: str | None = None) -> ApiError:
    return ApiError(400, {"error": error, "message": message or error})


async def handle_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if isinstance(exc.body, str):  # a page (the bot check), not the API's JSON
        return HTMLResponse(exc.body, status_code=exc.status, headers=exc.headers)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)
