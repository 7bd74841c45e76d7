"""Helpers of the Midjourney provider tests."""

import uuid

from consumers.midjourney.service import adapter_factory, credentials_loader
from consumers.providers.browser import BrowserConfig
from consumers.providers.service import ProviderService
from schemas.events import Event, JobRequested
from schemas.jobs import parse_request
from store.objects import LocalStore


async def start_service(settings, sandbox, pool, amqp, accounts, tmp_path, **kw):
    factory = adapter_factory(
        browser=BrowserConfig(executable=settings.browser.chromium_path,
                              args=settings.browser.chromium_args),
        profiles_dir=tmp_path / "profiles", web_url=sandbox.midjourney_url,
        cdn_url=sandbox.cdn_url, bucket="product-designs", poll_interval_s=0.3, poll_fast_s=0.1,
        allow_private_urls=True, refresh_margin_s=kw.pop("refresh_margin_s", 300.0),
        recycle_after_jobs=kw.pop("recycle_after_jobs", None),
        recycle_above_mb=kw.pop("recycle_above_mb", None))
    service = ProviderService(
        provider="midjourney", accounts=accounts, adapter_factory=factory, pool=pool,
        connection=amqp, objects=LocalStore(tmp_path / "objects", "http://files.test"),
        credentials_loader=credentials_loader, recheck_s=kw.pop("recheck_s", 0.5), **kw)
    await service.start()
    return service


def imagine(prompt: str, **metadata) -> Event:
    return job("imagine", {"prompt": prompt}, **metadata)


def job(action: str, input: dict, **metadata) -> Event:
    request = parse_request({"provider": "midjourney", "action": action,
                             "input": input, "metadata": metadata,
                             "timeout_s": metadata.pop("timeout_s", 60)})
    return Event.of(JobRequested(job_id=str(uuid.uuid4()), provider="midjourney", seq=0,
                                 action=request.action, input=request.input,
                                 metadata=request.metadata, timeout_s=request.timeout_s))


async def record(pool, requested: Event, completed: Event) -> None:
    """Write a finished job's row as the persister would (these tests run no persister)."""
    data = completed.data
    await pool.execute(
        "insert into jobs (id, status, provider, action, input, output, account_id, "
        "provider_job_id) values ($1, 'completed', 'midjourney', $2, $3, $4, $5, $6) "
        "on conflict (id) do update set status = 'completed', output = excluded.output, "
        "account_id = excluded.account_id, provider_job_id = excluded.provider_job_id",
        data.job_id, requested.data.action, requested.data.input,
        data.output.model_dump(mode="json"), data.account_id, data.provider_job_id)
