"""The ingress of tests/http and the whole platform of tests/e2e, for the dashboard's tests."""

import pytest

from store.keys import create_key
from tests.e2e.conftest import platform, receiver  # noqa: F401  (fixtures)
from tests.http.conftest import key, serve  # noqa: F401  (fixtures)


@pytest.fixture
async def admin(clean_db):
    """A key that may also see and handle dead letters."""
    return await create_key(clean_db, name="operator", scopes=("submit", "read", "admin"))

