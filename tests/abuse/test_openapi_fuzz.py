"""schemathesis against the ingress's own OpenAPI document, every operation, with a key of
every scope: no answer is a 5xx, none is outside the document (status, content type, body,
headers), and schema-violating requests are refused."""

import collections
import json
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.abuse.conftest import bearer, unserved_app

pytestmark = pytest.mark.connected

MAX_EXAMPLES = 25  # per operation: the whole run stays near 10 s
# The document the served app publishes. The event stream (GET /v1/jobs/{id}/events) is in it:
# it would stay open while a job runs, but a generated id names no job of this key, so it 404s.
schema = schemathesis.openapi.from_dict(unserved_app().openapi())
schema.config.generation.update(max_examples=MAX_EXAMPLES)
# The coverage phase sends ~3,000 boundary cases (25 s); fuzzing and the examples keep it fast.
schema.config.phases.coverage.enabled = False
# A body over the size limit is refused with 413, before it is read.
rejection = schema.config.checks.negative_data_rejection
rejection.expected_statuses = [*rejection.expected_statuses, "413"]
# positive_data_acceptance wants every schema-valid request accepted, and some rules are not
# the schema's to say: a cursor must be one this API gave, a webhook host must resolve to a
# public address, a job_id must name a job of this key.
schema.config.checks.positive_data_acceptance.enabled = False


@pytest.fixture(scope="module")
def tally():
    """What the run sent and got, printed as the figures of docs/reliability.md."""
    answers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    started = time.monotonic()
    yield answers
    statuses = sum(answers.values(), collections.Counter())
    print("\nABUSE openapi", json.dumps({
        "operations": len(answers), "requests": statuses.total(),
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
        "statuses": dict(sorted(statuses.items())),
        "seconds": round(time.monotonic() - started, 1)}))


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema(case, threaded_ingress, keys, tally):
    response = case.call(base_url=threaded_ingress.url, headers=bearer(keys.full))
    tally[case.operation.label][response.status_code] += 1
    case.validate_response(response, headers=bearer(keys.full),
                           transport_kwargs={"base_url": threaded_ingress.url,
                                             "headers": bearer(keys.full)})


async def test_the_ingress_serves_the_document_that_was_fuzzed(threaded_ingress):
    async with httpx.AsyncClient(base_url=threaded_ingress.url) as client:
        served = await client.get("/openapi.json")
    assert served.status_code == 200 and served.json() == schema.raw_schema
