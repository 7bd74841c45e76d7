"""The ingress of tests/http and the whole platform of tests/e2e, for the CLI's tests."""

import asyncio

import pytest

from store.keys import create_key
from tests.e2e.conftest import platform  # noqa: F401  (fixture)
from tests.http.conftest import key, serve  # noqa: F401  (fixtures)
from wowz.cli import main


@pytest.fixture
async def admin(clean_db):
    return await create_key(clean_db, name="operator", scopes=("submit", "read", "admin"))


@pytest.fixture
def wowz(capsys):
    """Run `wowz ARGS...` as a user would (in a thread: the servers share this test's loop);
    returns (exit code, stdout, stderr)."""

    async def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
