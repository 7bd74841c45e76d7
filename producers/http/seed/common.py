"""What the seed's routes share: reading a body by the seed's field names (a bad one is its
400, named as the client wrote it), starting the wowz job it maps to, and answering in the
seed's shapes, after waiting for the job on the routes the seed answered synchronously."""

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict, ValidationError

from producers.http.accept import accept
from producers.http.auth import requires
from producers.http.edge import lift_deadline
from producers.http.errors import ApiError, problems, summary
from producers.http.provider_token import TAKES_TOKEN, seed_provider_token
from producers.http.seed.wait import wait_for
from schemas.errors import ErrorCode
from schemas.http import FieldProblem
from schemas.jobs import Job, JobStatus, parse_request
from store.keys import ApiKey

M = TypeVar("M", bound=BaseModel)
Submitter = Annotated[ApiKey, Depends(requires("submit"))]
# How a failed job answers a synchronous route (the seed said 400 or 500; 500 is ours alone).
FAILED_STATUS = {ErrorCode.bad_input: 400, ErrorCode.timeout: 504}


class SeedBody(BaseModel):
    # The seed ignored what it did not know; the values are checked by the wowz input, whose
    # errors name the seed's fields.
    model_config = ConfigDict(extra="ignore")


def answer(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


async def read_body(request: Request, model: type[M]) -> M:
    """The JSON body as `model`, or the seed's 400 naming the first bad field."""
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, ErrorCode.bad_input, "body: malformed JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _bad(exc.errors(include_url=False), {}) from None


def metadata(**values: str | None) -> dict[str, str]:
    """idea_id, design_id, user_id: kept on the job, and product_design kept by them."""
    return {k: v for k, v in values.items() if v is not None}


async def start(request: Request, key: ApiKey, provider: str, action: str,
                job_input: dict[str, Any], meta: dict[str, str] | None = None, *,
                names: dict[str, str]) -> Job:
    """Accept the wowz job; a bad input field is named by the seed's name (`names`: the
    wowz input field -> the seed's)."""
    try:
        job_request = parse_request({"provider": provider, "action": action,
                                     "input": job_input, "metadata": meta or {}})
    except ValidationError as exc:
        raise _bad(exc.errors(include_url=False), names) from None
    # The seed's Ideogram clients may send their own token (Authorization beside X-API-Key).
    token = seed_provider_token(request) if provider in TAKES_TOKEN else None
    try:
        job, _ = await accept(request.app.state.ingress, job_request, key=key,
                             idempotency_key=None, provider_token=token)
    except ApiError as exc:  # a URL refused after DNS, say: the seed's 400, its field name
        if exc.code != ErrorCode.bad_input or not exc.details:
            raise
        raise _named(list(exc.details), names) from None
    return job


async def when_over(request: Request, starting: Coroutine[Any, Any, Job],
                    shape: Callable[[Job], dict[str, Any]]) -> Response:
    """The seed's synchronous answer for the job `starting` (start(...), not awaited yet):
    `shape(job)` once the job completed, within the seed wait limit. Past it, the seed's error
    with the job id, to poll `GET /api/job/{jobId}`. The job's events are listened to from
    before it is accepted: a job that ends at once (an upload) is not missed."""
    limit_s = request.app.state.seed_wait_s
    lift_deadline(request.scope)  # the wait has its own limit
    ingress = request.app.state.ingress
    try:
        async with ingress.live.bound():
            job = await starting
            over = await wait_for(ingress, job, limit_s)
    finally:
        starting.close()  # nothing once awaited; frees it if the listening could not start
    if over is None:
        return answer({"success": False, "jobId": job.id,
                       "error": f"job {job.id} is still running after {limit_s:g} s; "
                                f"poll GET /api/job/{job.id}"}, 504)
    if over.status != JobStatus.completed:
        code = over.error.code if over.error else ErrorCode.provider_error
        message = over.error.message if over.error else f"job {over.status.value}"
        return answer({"success": False, "jobId": job.id, "error": message},
                      FAILED_STATUS.get(code, 502))
    return answer(shape(over))


def _bad(errors: list[dict[str, Any]], names: dict[str, str]) -> ApiError:
    return _named(problems(errors), names)


def _named(found: list[FieldProblem], names: dict[str, str]) -> ApiError:
    for problem in found:
        head, _, tail = problem.field.removeprefix("input.").partition(".")
        if problem.field.startswith("input.") and head in names:
            problem.field = ".".join(filter(None, (names[head], tail)))
    return ApiError(400, ErrorCode.bad_input, summary(found), details=found)
