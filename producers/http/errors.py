"""The one error envelope: every failure of the API answers with it, naming the bad fields."""

import json
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from schemas.errors import ErrorCode, WowzError
from schemas.http import ErrorBody, ErrorEnvelope, FieldProblem

# Where FastAPI says a value came from; the client knows its fields without that prefix.
SOURCES = ("body", "query", "path", "header", "cookie")
CODE_OF_STATUS = {400: ErrorCode.bad_input, 401: ErrorCode.unauthorized,
                  403: ErrorCode.forbidden, 404: ErrorCode.not_found, 409: ErrorCode.conflict,
                  429: ErrorCode.rate_limited}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class ApiError(WowzError):
    """An answer other than success, raised by a route or dependency."""

    def __init__(self, status: int, code: ErrorCode, message: str, *,
                 details: list[FieldProblem] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message, code=code, details=details)
        self.status = status
        self.headers = headers


def field_error(field: str, problem: str, status: int = 422) -> ApiError:
    return ApiError(status, ErrorCode.bad_input, f"{field}: {problem}",
                    details=[FieldProblem(field=field, problem=problem)])


def render(status: int, code: ErrorCode, message: str, request_id: str | None,
           details: Any = None) -> bytes:
    body = ErrorEnvelope(error=ErrorBody(code=code, message=message, status=status,
                                         details=details, request_id=request_id))
    return body.model_dump_json().encode()


# The seed system's routes answered errors as `{"success": false, "error": "..."}`; its clients
# (n8n workflows, apps) read that shape, so those routes keep it.
SEED_PATHS = ("/midjourney/", "/api/", "/gptgen")


def envelope(request: Request, status: int, code: ErrorCode, message: str, details: Any = None,
             headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith(SEED_PATHS):
        return Response(json.dumps({"success": False, "error": message}), status_code=status,
                        headers=headers, media_type="application/json")
    content = render(status, code, message, request.scope.get("state", {}).get("request_id"),
                     details)
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def problems(errors: Iterable[dict[str, Any]]) -> list[FieldProblem]:
    found = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if loc and loc[0] in SOURCES:
            loc = loc[1:]
        if error.get("type") == "json_invalid":
            loc = ()  # FastAPI puts the character offset there, not a field
        field = ".".join(map(str, loc)) or "body"
        problem = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            problem = f"malformed JSON: {error.get('ctx', {}).get('error', 'cannot parse')}"
        found.append(FieldProblem(field=field, problem=problem))
    return found


def summary(found: list[FieldProblem]) -> str:
    first = f"{found[0].field}: {found[0].problem}"
    return first if len(found) == 1 else f"{first} (and {len(found) - 1} more)"


async def on_validation(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    found = problems(errors)
    malformed = any(e.get("type") == "json_invalid" for e in errors)
    return envelope(request, 400 if malformed else 422, ErrorCode.bad_input, summary(found),
                    [p.model_dump() for p in found])


async def on_api_error(request: Request, exc: ApiError) -> Response:
    details = [p.model_dump() for p in exc.details] if exc.details else None
    return envelope(request, exc.status, exc.code, exc.message, details, exc.headers)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    """Starlette's own answers: no such route, method not allowed."""
    headers = exc.headers
    if exc.status_code == 404:
        message = f"no route {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} not allowed on {request.url.path}"
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    else:
        message = str(exc.detail)
    code = CODE_OF_STATUS.get(exc.status_code, ErrorCode.bad_input)
    return envelope(request, exc.status_code, code, message, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on this path. Starlette's 405 names only the methods of
    the first route whose path matched, while /v1/jobs, say, has a route for GET and one for
    POST."""
    return [method for method in METHODS if any(
        route.matches({**request.scope, "method": method})[0] == Match.FULL
        for route in request.app.router.routes)]


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(HTTPException, on_http_error)
