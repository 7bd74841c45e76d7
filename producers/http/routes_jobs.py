"""`/v1/jobs`: submit, read, list, cancel. A job is visible only to the key that created it."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from producers.http.auth import requires
from producers.http.errors import ApiError, field_error
from producers.http.ingress import Ingress, ingress
from producers.http.openapi import JOB_REQUEST
from producers.http.submit import HEADERS, PATH, Direct, job_response, submit
from schemas.errors import ErrorCode
from schemas.events import Event, JobCancel
from schemas.http import ErrorEnvelope, JobPage
from schemas.jobs import TERMINAL, Job, JobStatus
from store import jobs as store
from store.keys import ApiKey

router = APIRouter(prefix=PATH, tags=["jobs"])

JobId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
ERRORS = {s: {"model": ErrorEnvelope} for s in (400, 401, 403, 404, 409, 413, 422, 500)}


async def owned_job(ingress: Ingress, key: ApiKey, job_id: str) -> Job:
    """The job, if this key created it; another key's job is as unknown as a missing one."""
    row = await store.get_job_row(ingress.pool, job_id)
    if row is None or row["api_key_id"] != key.id:
        raise ApiError(404, ErrorCode.not_found, f"no job {job_id}")
    return store.to_job(row)


# Read by submit.submit, not by FastAPI (see there why); openapi.py describes the body.
router.add_api_route(
    "", submit, methods=["POST"], status_code=202, route_class_override=Direct,
    summary="Submit a job", operation_id="submit_job",
    description="Accept a job: stored, then published as `wowz.job.requested`; 202 with the "
                "job. The body's `input` is the model of its provider/action.",
    responses={**ERRORS, 202: {"model": Job, "description": "the job, accepted"},
               200: {"model": Job, "description": "the job of an Idempotency-Key used before"}},
    openapi_extra={"parameters": HEADERS, "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{JOB_REQUEST}"}}}}})


@router.get("/{job_id}", response_model=Job, responses=ERRORS)
async def get_job(job_id: JobId, key: Annotated[ApiKey, Depends(requires("read"))],
                  ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    job = await owned_job(ingress, key, job_id)
    return Response(job.model_dump_json(), media_type="application/json")


@router.get("", response_model=JobPage, responses=ERRORS)
async def list_jobs(
        request: Request,
        key: Annotated[ApiKey, Depends(requires("read"))],
        ingress: Annotated[Ingress, Depends(ingress)],
        status: JobStatus | None = None,
        provider: Annotated[str | None, Query(max_length=64)] = None,
        account_id: Annotated[str | None, Query(
            max_length=64, description="only jobs run on this provider account")] = None,
        cursor: Annotated[str | None, Query(
            max_length=200, description="`next_cursor` of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Newest first. Filter on metadata with `metadata.<key>=<value>` (values are strings)."""
    metadata = {name.removeprefix("metadata."): value
                for name, value in request.query_params.items()
                if name.startswith("metadata.") and name != "metadata."}
    if cursor is not None:
        _check_cursor(cursor)
    page = await store.list_jobs(ingress.pool, status=status, provider=provider,
                                 metadata=metadata or None, api_key_id=key.id,
                                 account_id=account_id, cursor=cursor, limit=limit)
    body = JobPage(data=page.jobs, next_cursor=page.next_cursor)
    return Response(body.model_dump_json(), media_type="application/json")


@router.delete("/{job_id}", status_code=202, response_model=Job, responses=ERRORS)
async def cancel_job(job_id: JobId, key: Annotated[ApiKey, Depends(requires("submit"))],
                     ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """Ask for the job to stop; it ends with `failed`, code `cancelled`. 409 if already over."""
    job = await owned_job(ingress, key, job_id)
    if job.status in TERMINAL:
        raise ApiError(409, ErrorCode.conflict, f"job {job.id} is already {job.status}")
    await store.request_cancel(ingress.pool, job.id)
    await ingress.publisher.publish(Event.of(JobCancel(job_id=job.id, provider=job.provider)))
    return job_response(ingress, job, 202)


def _check_cursor(cursor: str) -> None:
    created, sep, last_id = cursor.partition("|")
    try:
        datetime.fromisoformat(created)
    except ValueError:
        sep = ""
    if not sep or not last_id:
        raise field_error("cursor", "not a cursor this API gave; pass next_cursor as it came")
