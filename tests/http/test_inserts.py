"""Concurrent submissions share INSERTs; one bad row does not fail the others."""

import asyncio

import asyncpg
import pytest

from producers.http.inserts import JobInserts
from schemas.jobs import JobRequest, parse_request
from store.jobs import NewJob
from tests.http.conftest import JOB

pytestmark = pytest.mark.connected


async def test_a_row_postgres_refuses_fails_alone_and_the_others_are_stored(clean_db):
    inserts = JobInserts(clean_db, max_in_flight=1)
    good = [NewJob(parse_request(JOB), "key_a", None) for _ in range(5)]
    # Past the HTTP checks (they refuse NUL with a 422), Postgres is the last line.
    bad = NewJob(JobRequest.model_construct(**{**JOB, "input": {"prompt": "a\x00b"},
                                               "metadata": {}, "webhook": None,
                                               "timeout_s": 600}), "key_a", None)
    again = NewJob(parse_request(JOB), "key_a", "k-1")
    results = await asyncio.gather(*(inserts.create(n) for n in [*good, bad, again, again]),
                                   return_exceptions=True)

    assert isinstance(results[5], asyncpg.PostgresError)
    stored = [r for r in results if not isinstance(r, BaseException)]
    assert [created for _, created in stored] == [True] * 6 + [False]
    assert stored[5][0].id == stored[6][0].id  # the idempotency key, twice in one batch
    assert await clean_db.fetchval("select count(*) from jobs") == 6
