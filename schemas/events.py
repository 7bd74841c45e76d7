"""Events on the bus: CloudEvents 1.0 attributes around one of the data models below.

On AMQP the attributes travel as properties and `cloudEvents:*` headers and the data as the JSON
body (binary content mode), so any client can publish and read them without our code."""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SerializeAsAny

from schemas.jobs import JobError, JobOutput, Webhook

SOURCE = "wowz"


class EventData(BaseModel):
    type: ClassVar[str]

    def routing_key(self) -> str:
        raise NotImplementedError


class JobEvent(EventData):
    """Every job event: its job, its provider (for routing) and `seq`, increasing per job."""

    job_id: str
    provider: str
    seq: int = Field(ge=0)
    name: ClassVar[str]

    def routing_key(self) -> str:
        return f"job.{self.name}.{self.provider}"


class JobRequested(JobEvent):
    type = "wowz.job.requested"
    name = "requested"
    action: str
    input: dict[str, Any]
    webhook: Webhook | None = None
    metadata: dict[str, Any] = {}
    idempotency_key: str | None = None
    timeout_s: int = 600
    requested_by: str | None = None
    own_token: bool = Field(False, description=(
        "the client sent its own provider token for this job alone: it travels sealed in the "
        "message's x-wowz-provider-token header, never in this data; without that header the "
        "job fails with auth_expired rather than run on an account's token"))
    seq: int = 0


class JobStarted(JobEvent):
    type = "wowz.job.started"
    name = "started"
    account_id: str
    attempt: int


class JobProgress(JobEvent):
    type = "wowz.job.progress"
    name = "progress"
    percent: int = Field(ge=0, le=100)
    stage: str
    preview_url: str | None = None
    provider_job_id: str | None = None


class JobCompleted(JobEvent):
    type = "wowz.job.completed"
    name = "completed"
    output: JobOutput
    provider_job_id: str | None = None
    account_id: str | None = None
    durations: dict[str, float] = {}


class JobFailed(JobEvent):
    type = "wowz.job.failed"
    name = "failed"
    error: JobError
    attempts: int = 0
    account_id: str | None = None


class JobCancel(JobEvent):
    """A request to cancel; the job ends with `failed` code `cancelled`."""

    type = "wowz.job.cancel"
    name = "cancel"
    seq: int = 0
    reason: str = "cancelled by client"


class WebhookDelivered(EventData):
    type = "wowz.webhook.delivered"
    delivery_id: str
    job_id: str
    event_id: str
    url: str
    status_code: int
    attempt: int

    def routing_key(self) -> str:
        return "webhook.delivered"


class WebhookExhausted(WebhookDelivered):
    type = "wowz.webhook.exhausted"
    status_code: int | None = None
    error: str

    def routing_key(self) -> str:
        return "webhook.exhausted"


class AccountHealth(EventData):
    type = "wowz.account.health"
    account_id: str
    provider: str
    healthy: bool
    reason: str | None = None

    def routing_key(self) -> str:
        return f"account.health.{self.provider}"


class AccountControl(EventData):
    """An operator enabled or disabled an account: every service running it obeys at once
    (a disabled account takes no new jobs; the running ones finish)."""

    type = "wowz.account.control"
    account_id: str
    provider: str
    enabled: bool
    by: str | None = Field(None, description="the API key id of the operator")

    def routing_key(self) -> str:
        return f"account.control.{self.provider}"


EVENT_TYPES: dict[str, type[EventData]] = {m.type: m for m in (
    JobRequested, JobStarted, JobProgress, JobCompleted, JobFailed, JobCancel,
    WebhookDelivered, WebhookExhausted, AccountHealth, AccountControl)}
TERMINAL_EVENTS = frozenset({JobCompleted.type, JobFailed.type})


class Event(BaseModel):
    """The CloudEvents envelope."""

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str = SOURCE
    type: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    data: SerializeAsAny[EventData]

    @classmethod
    def of(cls, data: EventData, **attrs: Any) -> "Event":
        return cls(type=data.type, subject=getattr(data, "job_id", None), data=data, **attrs)

    @classmethod
    def parse(cls, attributes: dict[str, Any], body: bytes) -> "Event":
        model = EVENT_TYPES.get(attributes.get("type", ""))
        if model is None:
            raise ValueError(f"type: unknown event type {attributes.get('type')!r}")
        return cls(**attributes, data=model.model_validate_json(body))
