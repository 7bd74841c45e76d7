"""Tokens of an Ideogram account: cached, renewed once for everyone, never in a log line."""

import asyncio
import logging

import pytest

from consumers.ideogram.tokens import Token, TokenProvider, file_token, parse_answer
from schemas.errors import AuthExpired

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(ttl: float | None, delay: float = 0.0):
    calls = []

    async def fetch() -> Token:
        calls.append(1)
        await asyncio.sleep(delay)
        return Token(f"token-{len(calls)}", ttl)
    return fetch, calls


async def test_a_token_is_fetched_once_and_kept_until_its_margin():
    clock = Clock()
    fetch, calls = counting(100.0)
    tokens = TokenProvider(fetch, margin_s=5, ahead_s=20, clock=clock)
    assert await tokens.get() == "token-1"
    clock.now += 70
    assert await tokens.get() == "token-1"
    clock.now += 26  # 4 s left: inside the margin, so a new one is waited for
    assert await tokens.get() == "token-2"
    assert len(calls) == 2


async def test_fifty_jobs_asking_at_once_cause_one_fetch():
    fetch, calls = counting(100.0, delay=0.05)
    tokens = TokenProvider(fetch)
    values = await asyncio.gather(*(tokens.get() for _ in range(50)))
    assert set(values) == {"token-1"} and len(calls) == 1


async def test_a_token_near_expiry_is_renewed_in_the_background_without_making_a_job_wait():
    clock = Clock()
    fetch, calls = counting(100.0, delay=0.05)
    tokens = TokenProvider(fetch, margin_s=5, ahead_s=20, clock=clock)
    await tokens.get()
    clock.now += 85  # past the renew point, still valid
    served = await asyncio.gather(*(tokens.get() for _ in range(10)))
    assert set(served) == {"token-1"}  # nobody waited for the fetch
    await asyncio.sleep(0.1)
    assert await tokens.get() == "token-2" and len(calls) == 2


async def test_a_refused_token_is_replaced_once_for_all_the_jobs_that_saw_the_401():
    fetch, calls = counting(100.0, delay=0.02)
    tokens = TokenProvider(fetch)
    old = await tokens.get()
    renewed = await asyncio.gather(*(tokens.refresh(old) for _ in range(20)))
    late = await tokens.refresh(old)  # a job that saw the 401 after the renewal
    assert set(renewed) == {"token-2"} and late == "token-2" and len(calls) == 2


async def test_the_seed_token_service_answer_is_read_bare_or_inside_a_pre():
    bare = parse_answer('{"access_token": "abc", "expires_in": 3600, "token_type": "Bearer"}')
    page = parse_answer('<html><body><pre style="x">{&quot;access_token&quot;: &quot;def&quot;,'
                        ' &quot;expires_in&quot;: 60}</pre></body></html>')
    assert (bare.value, bare.expires_in) == ("abc", 3600.0)
    assert (page.value, page.expires_in) == ("def", 60.0)
    with pytest.raises(AuthExpired):
        parse_answer("<html>please log in</html>")


async def test_a_token_file_is_read_again_at_each_renewal(tmp_path):
    path = tmp_path / "ideogram.token"
    path.write_text("first-token\n")
    tokens = TokenProvider(file_token(path))
    assert await tokens.get() == "first-token"
    path.write_text('{"access_token": "second-token", "expires_in": 600}')
    assert await tokens.refresh("first-token") == "second-token"


async def test_no_token_appears_in_the_logs(caplog):
    fetch, _ = counting(100.0)
    tokens = TokenProvider(fetch)
    with caplog.at_level(logging.DEBUG, logger="wowz"):
        value = await tokens.get()
        await tokens.refresh(value)
    assert caplog.records and not any(value in r.getMessage() or value in str(r.__dict__)
                                      for r in caplog.records)
    assert value not in repr(Token(value, 1.0))
