"""The pages: jobs, a job, dead letters, the login."""

import json
import re
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from producers.http.dashboard import render, session
from producers.http.dashboard.render import page
from producers.http.errors import ApiError
from producers.http.ingress import Ingress, ingress
from producers.http.routes_dead import DeadLetters
from producers.http.routes_jobs import JobId
from schemas.errors import ErrorCode
from schemas.jobs import TERMINAL, JobStatus
from store import accounts as store_accounts
from store import deliveries
from store import jobs as store
from store.keys import ApiKey

router = APIRouter()

Viewer = Annotated[ApiKey | None, Depends(session.viewer)]
PAGE_SIZE = 50
ACCOUNT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)


def refused(request: Request, key: ApiKey, scope: str) -> Response | None:
    if scope in key.scopes:
        return None
    return page(request, "message.html", key, 403, title="Not allowed",
                message=f"This API key lacks the '{scope}' scope.")


@router.get("/")
async def jobs_page(request: Request, key: Viewer,
                    ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    if key is None:
        return to_login(request)
    query = request.query_params
    status = query.get("status") if query.get("status") in set(JobStatus) else None
    provider = query.get("provider") if query.get("provider") in ingress.providers else None
    account = query.get("account_id", "").strip()
    if not ACCOUNT_ID.fullmatch(account):
        account = None  # not an account id: no such filter, as for an unknown status
    filters = {"status": status, "provider": provider, "account_id": account}
    cursor = query.get("cursor") or None
    try:
        found = await store.list_jobs(ingress.pool, **filters, api_key_id=key.id,
                                      cursor=cursor, limit=PAGE_SIZE)
    except ValueError:  # a cursor edited by hand
        found = await store.list_jobs(ingress.pool, **filters, api_key_id=key.id,
                                      limit=PAGE_SIZE)
    return page(request, "jobs.html", key, jobs=found.jobs, next_cursor=found.next_cursor,
                **filters, filtered={k: v for k, v in filters.items() if v},
                statuses=list(JobStatus), providers=ingress.providers)


@router.get("/ui/jobs/{job_id}")
async def job_page(request: Request, job_id: JobId, key: Viewer,
                   ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    if key is None:
        return to_login(request)
    row = await store.get_job_row(ingress.pool, job_id)
    if row is None or row["api_key_id"] != key.id:
        return page(request, "message.html", key, 404, title="No such job",
                    message=f"No job {job_id} for this API key.")
    job = store.to_job(row)
    events = await store.job_events(ingress.pool, job_id)
    attempts = await deliveries.list_deliveries(ingress.pool, job_id=job_id)
    return page(request, "job.html", key, job=job, live=job.status not in TERMINAL,
                events=events, attempts=attempts, pretty=lambda v: json.dumps(v, indent=2))


@router.get("/ui/dead")
async def dead_page(request: Request, key: Viewer,
                    ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    if key is None:
        return to_login(request)
    if (answer := refused(request, key, "admin")) is not None:
        return answer
    letters, total = await DeadLetters(ingress.connection).browse(100)
    return page(request, "dead.html", key, letters=letters, total=total)


@router.get("/ui/accounts")
async def accounts_page(request: Request, key: Viewer,
                        ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """Every provider account as its service last wrote it (platform-wide: `admin`)."""
    if key is None:
        return to_login(request)
    if (answer := refused(request, key, "admin")) is not None:
        return answer
    return page(request, "accounts.html", key,
                accounts=await store_accounts.list_accounts(ingress.pool))


@router.get("/ui/login")
async def login_page(request: Request) -> Response:
    return page(request, "login.html", None, next=_next(request.query_params.get("next")))


@router.post("/ui/login")
async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode(errors="replace"))
    api_key = (form.get("api_key") or [""])[0].strip()
    target = _next((form.get("next") or [""])[0])
    key = await request.app.state.ingress.keys.find(api_key) if api_key else None
    if key is None or "read" not in key.scopes:
        return page(request, "login.html", None, 401, next=target,
                    error="That API key is not valid, was revoked, or lacks the 'read' scope.")
    response = RedirectResponse(target, status_code=303)
    session.remember(response, request, api_key)
    return response


@router.post("/ui/logout")
async def logout() -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    session.forget(response)
    return response


@router.get("/ui/static/{name}")
async def static(name: Annotated[str, Path(pattern=r"^[a-z]+\.(css|js)$")]) -> Response:
    path = render.STATIC / name
    if not path.is_file():
        raise ApiError(404, ErrorCode.not_found, f"no file {name}")
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


def _next(target: str | None) -> str:
    """Only a path of this site (not `//elsewhere`): the login must not redirect away."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
