"""`POST /v1/hooks/supabase`: a Supabase Database Webhook on a table (e.g. `product_design`)
becomes jobs, by the mappings in settings. It carries a shared secret header instead of an API
key; a repeated delivery of the same row change makes no second job (an idempotency key is
derived from the change)."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from producers.http.accept import accept
from producers.http.errors import ApiError
from producers.http.ingress import Ingress, ingress
from schemas.errors import ErrorCode
from schemas.hooks import SupabaseChange, SupabaseJobMap, job_fields, matching
from schemas.http import ErrorEnvelope, HookResult
from schemas.jobs import parse_request
from store.keys import ApiKey

router = APIRouter(prefix="/v1/hooks", tags=["hooks"])


@dataclass
class Hooks:
    secret: str | None = None
    maps: list[SupabaseJobMap] = field(default_factory=list)

SECRET_HEADER = "X-Wowz-Hook-Secret"


@router.post("/supabase", status_code=202, responses={
    202: {"model": HookResult},
    401: {"model": ErrorEnvelope, "description": f"{SECRET_HEADER} missing or wrong"}})
async def supabase_hook(
        change: SupabaseChange, request: Request,
        ingress: Annotated[Ingress, Depends(ingress)],
        secret: Annotated[str | None, Header(alias=SECRET_HEADER)] = None) -> Response:
    hooks: Hooks = request.app.state.hooks
    if not hooks.secret or not secret or not hmac.compare_digest(secret, hooks.secret):
        raise ApiError(401, ErrorCode.unauthorized, f"{SECRET_HEADER}: missing or wrong")
    created, ignored = [], []
    for job_map in matching(hooks.maps, change):
        fields = job_fields(job_map, change)
        if fields is None:
            ignored.append(f"{job_map.provider}/{job_map.action}: nothing to do for this change")
            continue
        try:
            job_request = parse_request(fields)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
        key = ApiKey(id=job_map.api_key_id, name="supabase hook", scopes=[], webhook_secret="")
        job, _ = await accept(ingress, job_request, key=key,
                              idempotency_key=_change_key(change, fields))
        created.append(job.id)
    if not created and not ignored:
        ignored.append(f"no mapping for {change.type} on {change.db_schema}.{change.table}")
    return Response(json.dumps({"jobs": created, "ignored": ignored}), status_code=202,
                    media_type="application/json")


def _change_key(change: SupabaseChange, fields: dict) -> str:
    row = (change.record or {}).get("id")
    digest = hashlib.sha256(json.dumps([change.table, row, fields], sort_keys=True,
                                       default=str).encode()).hexdigest()[:32]
    return f"supabase:{digest}"
