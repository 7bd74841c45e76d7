"""The job: its status, what it produced, how it failed, and the request that creates it."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.errors import ErrorCode
from schemas.inputs import INPUTS
from schemas.urls import check_url_syntax

TERMINAL = frozenset({"completed", "failed", "timeout", "cancelled"})


class JobStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    completed = "completed"
    failed = "failed"
    timeout = "timeout"
    cancelled = "cancelled"


WebhookEvent = Literal["started", "progress", "completed", "failed"]


class Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2048, json_schema_extra={"format": "uri"},
                     description="called exactly as given, query string kept")
    events: list[WebhookEvent] = Field(
        default=["completed", "failed"],
        description="which job events to send; by default the terminal one only")

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        check_url_syntax(url)  # kept as given, not normalised: n8n resumes only its exact URL
        return url


class Image(BaseModel):
    url: str
    provider_url: str | None = None
    width: int | None = None
    height: int | None = None
    sha256: str | None = None
    index: int
    response_id: str | None = Field(None, description="Ideogram's id of this image")


class JobOutput(BaseModel):
    images: list[Image] = []
    videos: list[str] = []
    text: str | None = Field(None, description="a caption, the answer, the prompts described")
    prompt: str | None = Field(None, description="the prompt proposed (ChatGPT) or used")
    conversation_id: str | None = Field(None, description="ChatGPT's conversation")
    cursor: str | None = Field(None, description="where the next page starts (recent_images)")


class JobError(BaseModel):
    code: ErrorCode
    message: str
    retryable: bool = False


class JobRequest(BaseModel):
    """What a client asks for. `input` is checked against the model of provider/action."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(examples=["midjourney"])
    action: str = Field(examples=["imagine"])
    input: dict[str, Any] = Field(examples=[{"prompt": "a cat in a teapot, sticker"}])
    webhook: Webhook | None = None
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="free keys carried through; idea_id/design_id/user_id keep product_design")
    timeout_s: int = Field(600, ge=10, le=6 * 3600)


def parse_request(data: Any, *, strict: bool = False) -> JobRequest:
    """Validate a request, including its input against provider/action, as one ValidationError.
    `strict`: JSON types as the schema says them (no "3" or `true` for an integer)."""
    request = JobRequest.model_validate(data, strict=strict)
    model = INPUTS.get((request.provider, request.action))
    if model is None:
        known = ", ".join(f"{p}/{a}" for p, a in sorted(INPUTS))
        raise ValidationError.from_exception_data("JobRequest", [{
            "type": "value_error", "loc": ("action",), "input": request.action,
            "ctx": {"error": f"unknown provider/action '{request.provider}/{request.action}'; "
                             f"known: {known}"}}])
    try:
        request.input = model.model_validate(request.input, strict=strict).model_dump(
            mode="json")
    except ValidationError as exc:
        raise ValidationError.from_exception_data("JobRequest", [
            {**e, "loc": ("input", *e["loc"])} for e in exc.errors(include_url=False)]) from None
    return request


class Job(BaseModel):
    """A job as the API shows it."""

    id: str
    status: JobStatus
    provider: str
    action: str
    input: dict[str, Any]
    output: JobOutput | None = None
    error: JobError | None = None
    progress: int = 0
    account_id: str | None = None
    provider_job_id: str | None = None
    webhook: Webhook | None = None
    metadata: dict[str, Any] = {}
    idempotency_key: str | None = None
    timeout_s: int = 600
    seq: int = 0
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
