"""Accepting a job, whichever route it came by (`/v1/jobs` or a seed-compatible one): refuse
what cannot be stored or called back, store it, announce it on the bus."""

from bus.provider_token import ProviderToken
from producers.http.errors import field_error
from producers.http.ingress import Ingress
from producers.http.provider_token import check_provider
from producers.http.url_checks import check_job_urls
from schemas.jobs import Job, JobRequest
from store import jobs as store
from store.keys import ApiKey


async def accept(ingress: Ingress, request: JobRequest, *, key: ApiKey,
                 idempotency_key: str | None, may_hold_nul: bool = True,
                 provider_token: ProviderToken | None = None) -> tuple[Job, bool]:
    """The job and whether it is new (an Idempotency-Key used before gives the first job).
    `may_hold_nul=False` skips looking for NUL when the caller knows there is none (a JSON
    body without a `\\u0000` escape: JSON strings cannot hold the raw byte).
    `provider_token`: the client's own token for this job alone, sent on the bus only."""
    check_provider(provider_token, request.provider)
    await check_job_urls(request.input, request.webhook.url if request.webhook else None,
                         allow_private=ingress.allow_private_urls)
    for field in ("input", "metadata") if may_hold_nul else ():
        if _has_nul(getattr(request, field)):  # Postgres text and jsonb cannot hold it
            raise field_error(field, "contains a NUL character (\\u0000)")
    await ingress.limits.admit_job(key)
    job, created = await ingress.inserts.create(store.NewJob(
        request, key.id, idempotency_key, own_token=provider_token is not None))
    if created:
        await ingress.announce(job, key.id, provider_token)
    return job, created


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(map(_has_nul, value))
    return False
