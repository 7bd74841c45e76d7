import socket

import pytest

from tests.conftest import sandbox_account
from tests.e2e.receiver import Receiver


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def receiver():
    receiver = await Receiver().start()
    yield receiver
    await receiver.stop()


@pytest.fixture
async def platform(settings, sandbox, clean_db, clean_bus, tmp_path):
    """Every service in this process (as `wowz up` runs them) on the sandbox, two accounts."""
    from wowz.platform import SERVICES, Platform

    accounts = [await sandbox_account(sandbox, f"mj-e2e-{n}", tmp_path) for n in (1, 2)]
    s = settings.model_copy(deep=True)
    s.providers.midjourney_url = sandbox.midjourney_url
    s.providers.midjourney_cdn_url = sandbox.cdn_url
    s.providers.poll_interval_s, s.providers.poll_interval_fast_s = 0.5, 0.2
    s.browser.profiles_dir = tmp_path / "profiles"
    s.http.port = free_port()
    s.http.public_url = f"http://127.0.0.1:{s.http.port}"
    running = Platform(s, list(SERVICES), accounts)
    await running.start()
    yield running
    await running.stop()
