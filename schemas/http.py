"""HTTP bodies of the `/v1` API that are not job models: the error envelope, pages, health."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from schemas.errors import ErrorCode
from schemas.jobs import Job


class FieldProblem(BaseModel):
    field: str = Field(examples=["input.prompt"], description="dotted path into the request")
    problem: str = Field(examples=["String should have at least 1 character"])


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str = Field(description="what went wrong, naming the first bad field if any")
    status: int
    details: list[FieldProblem] | dict[str, Any] | None = None
    request_id: str | None = Field(None, description="also in the X-Request-Id header")


class ErrorEnvelope(BaseModel):
    """Every error answer of the API, whatever the route or status."""

    error: ErrorBody


class SeedError(BaseModel):
    """The seed's error answer, kept on its routes (`/midjourney/`, `/api/`, `/gptgen`) for the
    clients that read that shape."""

    success: Literal[False]
    error: str = Field(description="what went wrong, naming the field if one was bad")
    jobId: str | None = Field(None, description="the job, when one was started")


class JobPage(BaseModel):
    data: list[Job]
    next_cursor: str | None = Field(
        None, description="pass as `cursor` for the next page; null on the last page")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(examples=[{"database": "ok", "bus": "ok"}])
    uptime_s: float
    # The seed's fields, named as it named them (its monitors read them); per ingress process.
    uptime: float
    totalRequests: int
    successfulRequests: int
    failedRequests: int
    successRate: float | None
    lastRequest: str | None
    lastError: str | None
    timestamp: str


class Replayed(BaseModel):
    replayed: str = Field(description="the delivery replayed")
    event_id: str


class DeadLetter(BaseModel):
    """A message the bus dead-lettered, and why."""

    id: str = Field(description="a digest of the message, stable across listings")
    message_id: str | None
    type: str | None
    job_id: str | None
    routing_key: str | None
    queue: str | None = Field(description="the queue it was dead-lettered from")
    reason: str
    time: str | None
    body: str = Field(description="its first 2,000 characters")


class DeadPage(BaseModel):
    data: list[DeadLetter]
    total: int = Field(description="how many the dead-letter queue holds")
    listed_at: str


class Requeued(BaseModel):
    requeued: DeadLetter


class Discarded(BaseModel):
    discarded: DeadLetter


class HookResult(BaseModel):
    jobs: list[str] = Field(description="the jobs the change started")
    ignored: list[str] = Field(description="why a mapping started none")
