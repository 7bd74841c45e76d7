"""`POST /v1/jobs` served without FastAPI's request handling: a request is read and checked
here, once. FastAPI's dependency resolution and body parsing cost more CPU than the rest of a
submission (measured with py-spy under `benchmarks.ingress`), and the body was validated twice
(as JobRequest, then its input). The answers are the same: the same checks, in the same
order, raising the same errors, which errors.install renders as the one envelope."""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from producers.http.accept import accept
from producers.http.auth import authorize
from producers.http.ingress import Ingress
from producers.http.provider_token import TOKEN, TOKEN_MAX, USER_ID, USER_ID_MAX, provider_token
from schemas.jobs import Job, JobRequest, parse_request

PATH = "/v1/jobs"
IDEMPOTENCY_KEY_MAX = 200
# The headers `submit` reads, as the OpenAPI document shows them.
HEADERS = [
    {"name": "Idempotency-Key", "in": "header", "required": False,
     "description": "a retry with the same key returns the first job",
     "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX}},
    {"name": TOKEN, "in": "header", "required": False,
     "description": "the client's own provider bearer token (Ideogram), used for this job "
                    "alone, never stored or logged; a 401 with it fails the job",
     "schema": {"type": "string", "maxLength": TOKEN_MAX}},
    {"name": USER_ID, "in": "header", "required": False,
     "description": "the provider's user id of that token's account (by default the "
                    "account's own)", "schema": {"type": "string", "maxLength": USER_ID_MAX}}]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Direct(APIRoute):
    """A route whose endpoint takes the request and answers it: FastAPI neither resolves its
    parameters nor reads its body, so the OpenAPI document describes them (openapi.py)."""

    def get_route_handler(self) -> Handler:
        return self.endpoint


class Submissions:
    """ASGI middleware: `POST /v1/jobs` goes straight to `submit`, ahead of Starlette's router,
    exception middleware and request wrapper (on this route, the path of every job, they cost
    as much CPU as reading and checking the job). The answers are the same: errors are
    rendered by the app's own exception handlers, and the route stays in the router, so the
    OpenAPI document shows it. Installed inside CORS and Edge, which still see every request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await submit(request)
        except Exception as exc:
            handler = _handler(request.app.exception_handlers, exc)
            if handler is None:
                raise  # as the exception middleware does: Edge answers 500
            response = await handler(request, exc)
        await response(scope, receive, send)


def _handler(handlers: dict[Any, Callable[..., Any]], exc: Exception) -> Any:
    for kind in type(exc).__mro__:
        if kind in handlers:
            return handlers[kind]
    return None


async def submit(request: Request) -> Response:
    key = await authorize(request, "submit")
    token = provider_token(request)
    idempotency_key = request.headers.get("idempotency-key")
    # FastAPI reports a bad header and a bad body together, header first: so do we.
    errors = []
    if idempotency_key is not None and len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        errors.append({"type": "string_too_long", "loc": ("header", "Idempotency-Key"),
                       "msg": f"String should have at most {IDEMPOTENCY_KEY_MAX} characters",
                       "input": idempotency_key, "ctx": {"max_length": IDEMPOTENCY_KEY_MAX}})
    try:
        body = await request.body()
        job_request = read_job_request(body, request.headers.get("content-type"))
    except RequestValidationError as exc:
        raise RequestValidationError([*errors, *exc.errors()]) from None
    if errors:
        raise RequestValidationError(errors)
    try:
        job_request = parse_request(job_request, strict=True)  # its input, by provider/action
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    ingress: Ingress = request.app.state.ingress
    job, created = await accept(ingress, job_request, key=key, idempotency_key=idempotency_key,
                                may_hold_nul=b"\\u0000" in body, provider_token=token)
    return job_response(ingress, job, 202 if created else 200)


def read_job_request(body: bytes, content_type: str | None) -> JobRequest:
    """As FastAPI reads a JSON body model (its input is not checked yet), with the same
    errors, but strictly (the OpenAPI document's types, no coercion): a missing body is a
    missing field, a body not declared JSON is not an object, malformed JSON is a 400."""
    try:
        data = json.loads(body) if body and _is_json(content_type) else body
    except json.JSONDecodeError as exc:
        raise _malformed(exc.pos, exc.msg) from None
    except UnicodeDecodeError as exc:  # json.loads decodes bytes first
        raise _malformed(exc.start, "not UTF-8 text") from None
    try:
        if not body:
            raise ValidationError.from_exception_data("JobRequest", [
                {"type": "missing", "loc": (), "input": None}])
        return JobRequest.model_validate(data, from_attributes=True, strict=True)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])}
                                      for e in exc.errors(include_url=False)]) from None


def _malformed(position: int, problem: str) -> RequestValidationError:
    return RequestValidationError([{"type": "json_invalid", "loc": ("body", position),
                                    "msg": "JSON decode error", "input": {},
                                    "ctx": {"error": problem}}])


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    kind = content_type.partition(";")[0].strip().lower()
    return kind.startswith("application/") and (kind == "application/json"
                                                 or kind.endswith("+json"))


def job_response(ingress: Ingress, job: Job, status: int) -> Response:
    return Response(job.model_dump_json(), status_code=status, media_type="application/json",
                    headers={"Location": f"{ingress.public_url}/v1/jobs/{job.id}"})
