"""Jobs as the ingress writes them, and the events providers publish for them."""

from schemas.events import Event, JobCompleted, JobFailed, JobProgress
from schemas.jobs import Image, JobError, JobOutput, JobRequest, Webhook
from store import jobs, keys


async def a_job(pool, url: str, *, events: list[str] | None = None,
                signed: bool = True) -> tuple[str, str | None]:
    """A job with a webhook to `url`; returns (job id, its API key's webhook secret)."""
    key = await keys.create_key(pool, name="n8n") if signed else None
    webhook = Webhook(url=url, events=events) if events else Webhook(url=url)
    job, _ = await jobs.create_job(
        pool, request=JobRequest(provider="midjourney", action="imagine",
                                 input={"prompt": "a cat in a teapot"}, webhook=webhook,
                                 metadata={"idea_id": "idea-1"}),
        api_key_id=key.key.id if key else None, idempotency_key=None)
    return job.id, key.key.webhook_secret if key else None


def completed(job_id: str, seq: int = 3) -> Event:
    return Event.of(JobCompleted(job_id=job_id, provider="midjourney", seq=seq, output=JobOutput(
        images=[Image(url="https://storage.example/cat_0.png", index=0)])))


def progress(job_id: str, percent: int = 50, seq: int = 2) -> Event:
    return Event.of(JobProgress(job_id=job_id, provider="midjourney", seq=seq, percent=percent,
                                stage="running"))


def failed(job_id: str, code: str, seq: int = 3) -> Event:
    return Event.of(JobFailed(job_id=job_id, provider="midjourney", seq=seq,
                              error=JobError(code=code, message=f"job {code}")))
