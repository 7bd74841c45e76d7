"""`wowz accounts login chatgpt <id>`: where there is no display it says how to bring a profile
logged in elsewhere; a profile logged in once is what the adapter then uses."""

import os
import subprocess
import sys

import pytest

from consumers.chatgpt.service import adapter_factory
from tests.chatgpt.helpers import GPT_PATH, browser_config, logged_in_account

pytestmark = pytest.mark.browser


def test_without_a_display_login_explains_how_to_copy_a_profile(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["WOWZ_PROFILES_DIR"] = str(tmp_path / "profiles")
    done = subprocess.run([sys.executable, "-m", "wowz.cli", "accounts", "login", "chatgpt",
                           "gpt-home"], env=env, capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 1
    assert "wowz accounts login chatgpt gpt-home" in done.stderr
    assert f"{tmp_path / 'profiles' / 'gpt-home'}/" in done.stderr
    assert not (tmp_path / "profiles" / "gpt-home").exists()


async def test_a_profile_logged_in_once_passes_the_accounts_health_check(
        settings, sandbox, tmp_path):
    account = await logged_in_account(settings, sandbox, "gpt-1", tmp_path)
    build = adapter_factory(browser=browser_config(settings), profiles_dir=tmp_path / "profiles",
                            gpt_url=sandbox.chatgpt_url + GPT_PATH, bucket="b")
    adapter = build(account)
    try:
        await adapter.check_health()
        assert adapter.session.cookies == []  # nothing injected: the profile holds the login
    finally:
        await adapter.close()
