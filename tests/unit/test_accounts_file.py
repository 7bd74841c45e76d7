"""An accounts file and the credentials it names: read as written, refused when other users
could read the secrets."""

import json

import pytest
import yaml

from consumers.providers.accounts import load_accounts

pytestmark = pytest.mark.unit


def write(tmp_path, accounts: list[dict], *, mode: int = 0o600):
    cookies = tmp_path / "mj.cookies.json"
    cookies.write_text(json.dumps([{"name": "a", "value": "b", "domain": "x", "path": "/"}]))
    cookies.chmod(mode)
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump({"accounts": accounts}))
    path.chmod(0o644)
    return path


def test_credentials_readable_only_by_the_service_user_are_loaded(tmp_path):
    path = write(tmp_path, [{"id": "mj-1", "provider": "midjourney",
                             "credentials": "mj.cookies.json", "concurrency": 5}])
    [account] = load_accounts(path)
    assert (account.credentials, account.concurrency) == (tmp_path / "mj.cookies.json", 5)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_cookie_file_other_users_can_read_is_refused_with_the_fix(tmp_path, mode):
    path = write(tmp_path, [{"id": "mj-1", "provider": "midjourney",
                             "credentials": "mj.cookies.json"}], mode=mode)
    with pytest.raises(ValueError, match=rf"mj.cookies.json: holds credentials .* \(mode "
                                         rf"{mode:o}\).* chmod 600"):
        load_accounts(path)


def test_an_accounts_file_holding_a_static_token_must_be_private_too(tmp_path):
    path = write(tmp_path, [{"id": "ideo-1", "provider": "ideogram", "token": "secret"}])
    with pytest.raises(ValueError, match="accounts.yaml: holds credentials"):
        load_accounts(path)
    path.chmod(0o600)
    assert [a.id for a in load_accounts(path)] == ["ideo-1"]
