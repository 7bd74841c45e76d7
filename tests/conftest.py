"""Fixtures shared by every tier. Connected tests use the real RabbitMQ and Postgres of the
machine (WOWZ_TEST_* settings, defaulting to the local ones), each on its own test vhost and
database; when one is down a test is skipped locally but fails in CI."""

import asyncio
import os
import shutil
import subprocess

import aio_pika
import asyncpg
import pytest

from bus import topology
from schemas.inputs import PROVIDERS
from store import db
from wowz.settings import Settings

# Under pytest-xdist each worker (gw0, gw1, ...) has a database and a vhost of its own: tests
# purge queues and truncate tables.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEST_DB = os.environ.get("WOWZ_TEST_DATABASE_URL",
                         "postgresql://postgres@127.0.0.1:5432/wowz_test") + _WORKER
TEST_AMQP = os.environ.get("WOWZ_TEST_AMQP_URL",
                           "amqp://guest:guest@127.0.0.1:5672/wowz_test") + _WORKER


def unavailable(what: str, exc: BaseException):
    message = f"{what} is not reachable: {exc!r}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def ensure_vhost(url: str) -> None:
    vhost = url.rsplit("/", 1)[-1]
    if vhost and shutil.which("rabbitmqctl"):
        subprocess.run(["rabbitmqctl", "add_vhost", vhost], capture_output=True, check=False)
        subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                       capture_output=True, check=False)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    os.environ.update({
        "WOWZ_DATABASE_URL": TEST_DB, "WOWZ_AMQP_URL": TEST_AMQP,
        "WOWZ_STORAGE_DIR": str(tmp_path_factory.mktemp("storage")),
        "WOWZ_PROFILES_DIR": str(tmp_path_factory.mktemp("profiles")),
        "WOWZ_ALLOW_PRIVATE_URLS": "true", "WOWZ_API_KEY_CACHE_S": "0",
        "WOWZ_ACCOUNTS_FILE": "",
    })
    return Settings()


@pytest.fixture(scope="session")
async def db_url(settings) -> str:
    try:
        await db.migrate(TEST_DB)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable("Postgres", exc)
    return TEST_DB


@pytest.fixture(scope="session")
async def pool(db_url):
    pool = await db.create_pool(db_url, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def clean_db(pool):
    await pool.execute("truncate jobs, job_events, job_runs, webhook_deliveries, api_keys, "
                       "product_design, accounts")
    return pool


@pytest.fixture(scope="session")
async def amqp(settings):
    try:
        connection = await aio_pika.connect_robust(TEST_AMQP)
    except (OSError, aio_pika.exceptions.AMQPError) as exc:
        await asyncio.to_thread(ensure_vhost, TEST_AMQP)
        try:
            connection = await aio_pika.connect_robust(TEST_AMQP)
        except (OSError, aio_pika.exceptions.AMQPError):
            unavailable("RabbitMQ", exc)
    channel = await connection.channel()
    await topology.declare(channel, PROVIDERS)
    await channel.close()
    yield connection
    await connection.close()


@pytest.fixture
async def clean_bus(amqp):
    """Every service queue and the dead-letter queue empty."""
    channel = await amqp.channel()
    for name in [*topology.service_queues(PROVIDERS), topology.DEAD_QUEUE]:
        await (await channel.get_queue(name)).purge()
    await channel.close()
    return amqp


@pytest.fixture
async def sandbox():
    """The provider stand-ins on free ports, with fast generation."""
    from sandbox.server import start_sandbox

    box = await start_sandbox(generation_s=1.0, image_size=128)
    yield box
    await box.stop()


async def sandbox_account(box, account_id: str, tmp_path, **extra) -> "object":
    """Create an account in the Midjourney stand-in and write its cookies file (seed format)."""
    import json

    import httpx

    from consumers.providers.accounts import Account

    async with httpx.AsyncClient(base_url=box.midjourney_url) as client:
        created = (await client.post("/_sandbox/accounts", json={"account_id": account_id})).json()
    cookies = tmp_path / f"{account_id}.cookies.json"
    cookies.write_text(json.dumps(created["cookies"]))
    cookies.chmod(0o600)  # as an accounts file must have it
    return Account(id=account_id, provider="midjourney", credentials=cookies,
                   user_id=created["user_id"], **extra)


@pytest.fixture
async def events(amqp, clean_bus):
    """Every job and account event on the bus, as a test listener sees them."""
    from tests.support import Events

    channel = await amqp.channel()
    queue = await topology.declare_listener(channel, ["job.#", "account.#"])
    yield Events(queue)
    await channel.close()


@pytest.fixture
async def publisher(amqp):
    from bus.publisher import Publisher

    publisher = await Publisher.open(amqp)
    yield publisher
    await publisher.close()
