"""Inbound webhooks that become jobs: a Supabase Database Webhook's payload and the mapping
(from settings) that says which row changes make which job."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SupabaseChange(BaseModel):
    """What a Supabase Database Webhook posts for a row change."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    type: Literal["INSERT", "UPDATE", "DELETE"]
    table: str
    db_schema: str = Field("public", alias="schema")
    record: dict[str, Any] | None = None
    old_record: dict[str, Any] | None = None


class SupabaseJobMap(BaseModel):
    """A row change of `table` -> a `provider/action` job. `input` maps job input fields to
    the row's columns; `constants` are fixed input values; `metadata` maps metadata keys to
    columns (by default the row's id becomes `design_id`, which keeps that row current)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    table: str
    db_schema: str = Field("public", alias="schema")
    events: list[Literal["INSERT", "UPDATE"]] = ["INSERT"]
    provider: str
    action: str
    input: dict[str, str]
    constants: dict[str, Any] = {}
    metadata: dict[str, str] = {"design_id": "id", "user_id": "user_id"}
    api_key_id: str = Field(description="the API key the jobs belong to (and sign with)")
    webhook_url: str | None = None


def matching(maps: list[SupabaseJobMap], change: SupabaseChange) -> list[SupabaseJobMap]:
    return [m for m in maps if m.table == change.table and m.db_schema == change.db_schema
            and change.type in m.events]


def job_fields(job_map: SupabaseJobMap, change: SupabaseChange) -> dict[str, Any] | None:
    """The job request for this change, or None when the row does not call for one: a mapped
    column is empty, or (UPDATE) none of the mapped columns changed — the persister's own
    status updates of the row must not start new jobs."""
    record = change.record or {}
    values = {field: record.get(column) for field, column in job_map.input.items()}
    if any(v in (None, "") for v in values.values()):
        return None
    if change.type == "UPDATE":
        old = change.old_record or {}
        if all(old.get(column) == record.get(column) for column in job_map.input.values()):
            return None
    metadata = {key: record[column] for key, column in job_map.metadata.items()
                if record.get(column) is not None}
    body: dict[str, Any] = {"provider": job_map.provider, "action": job_map.action,
                            "input": {**job_map.constants, **values}, "metadata": metadata}
    if job_map.webhook_url:
        body["webhook"] = {"url": job_map.webhook_url}
    return body
