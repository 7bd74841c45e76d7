"""The OpenAPI document: FastAPI's, completed with what FastAPI cannot see. `POST /v1/jobs` is
read by its handler, not by FastAPI (see submit.py), so its body is described here from the
models the handler checks: one variant per provider/action with that action's input model.
Every operation also lists what any request may get: the Edge's answers (408, 413, 500, 504),
the rate limits' 429 where a key is taken, and the error handlers' 422 (and a malformed body's
400), in the one envelope, or the seed's `{"success": false}` on the seed's routes, never
FastAPI's default `{"detail": ...}`."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from producers.http.errors import SEED_PATHS
from schemas.http import ErrorEnvelope, SeedError
from schemas.inputs import INPUTS
from schemas.jobs import JobRequest

REF = "#/components/schemas/{model}"
JOB_REQUEST = "JobRequest"
# What may happen to any request, whatever its route: the Edge answers these.
EDGE = {"408": "the body did not arrive within the request timeout",
        "413": "the body is larger than the limit", "500": "internal error (no details shown)",
        "504": "not answered within the request timeout"}
# Answered by the error handlers (errors.py) when a request's parameters or body are bad.
BAD_BODY = {"400": "the body is not JSON"}
BAD_FIELD = {"422": "a field is wrong; the error names it"}
# Where a route takes an API key (it documents 401), its rate limits apply.
KEYED = {"429": "over the API key's rate or jobs in flight; Retry-After says when to retry"}
# The seed's routes read their fields themselves: any may be refused, in the seed's shape.
SEED_ERRORS = {"400": "a field is wrong; the error names it",
               "401": "no API key, or not a valid one", "403": "the key lacks the scope",
               "404": "no such job for this key", "422": "a field is wrong; the error names it",
               "429": KEYED["429"], "502": "the job failed (a synchronous route)",
               "504": "the job still runs after the seed's wait (a synchronous route)"}
UNUSED = ("HTTPValidationError", "ValidationError")


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    _add_models(schemas, [ErrorEnvelope, SeedError, *INPUTS.values(), JobRequest])
    schemas[JOB_REQUEST] = job_request_schema(schemas[JOB_REQUEST])
    for path, operations in doc["paths"].items():
        error = _ref(SeedError if path.startswith(SEED_PATHS) else ErrorEnvelope)
        for operation in operations.values():
            _complete(operation, error, seed=path.startswith(SEED_PATHS))
    for name in UNUSED:
        schemas.pop(name, None)
    return doc


def job_request_schema(base: dict[str, Any]) -> dict[str, Any]:
    """JobRequest with `provider`, `action` and `input` tied together: one variant per
    provider/action, whose input is that action's model."""
    variants = []
    for (provider, action), model in sorted(INPUTS.items()):
        properties = {**base["properties"], "provider": {"const": provider},
                      "action": {"const": action}, "input": _ref(model)}
        variants.append({**base, "title": f"{provider}/{action}", "properties": properties})
    return {"title": JOB_REQUEST, "description": base.get("description", ""),
            "oneOf": variants}


def _complete(operation: dict[str, Any], error: dict[str, Any], *, seed: bool) -> None:
    responses = operation.setdefault("responses", {})
    envelope = _ref(ErrorEnvelope)
    for status, description in SEED_ERRORS.items() if seed else ():
        responses.setdefault(status, _response(description, error))
    if "401" in responses:
        for status, description in KEYED.items():
            responses.setdefault(status, _response(description, error))
    for status, description in EDGE.items():
        answer = responses.setdefault(status, _response(description, envelope))
        content = answer.setdefault("content", {}).setdefault("application/json", {})
        own = content.get("schema", envelope)
        content["schema"] = own if own == envelope else {"anyOf": [own, envelope]}
    bad = {**(BAD_BODY if "requestBody" in operation else {}),
           **(BAD_FIELD if "requestBody" in operation or operation.get("parameters") else {})}
    for status, description in bad.items():
        answer = responses.setdefault(status, _response(description, error))
        answer["content"] = {"application/json": {"schema": error}}  # not {"detail": ...}


def _response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _add_models(schemas: dict[str, Any], models: list[type[BaseModel]]) -> None:
    """Each model's schema (as a request would be checked) and those it refers to. A name
    FastAPI already used must name the same schema, up to the defaults FastAPI leaves out of
    answers: two different ones would make the document lie."""
    _, found = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    for name, schema in found.get("$defs", {}).items():
        if _no_defaults(schemas.setdefault(name, schema)) != _no_defaults(schema):
            raise ValueError(f"two different schemas named {name} in the OpenAPI document")


def _no_defaults(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _no_defaults(v) for k, v in schema.items() if k != "default"}
    if isinstance(schema, list):
        return [_no_defaults(v) for v in schema]
    return schema
