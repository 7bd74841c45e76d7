"""The URL policy: which addresses we refuse to call or fetch, which URLs are malformed, and
which input fields the platform fetches."""

import pytest

from schemas.inputs import INPUTS
from schemas.urls import FETCHED, blocked_reason, check_url_syntax, fetched_urls

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("ip", "reason"), [
    ("127.0.0.1", "loopback"),
    ("[::1]", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "cloud metadata"),
    ("64:ff9b::a00:1", "private"),
    ("2002:7f00:1::", "loopback"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "not a public address"),
])
def test_an_internal_address_is_refused_with_its_reason(ip, reason):
    assert reason in blocked_reason(ip)


@pytest.mark.parametrize("ip", ["93.184.216.34", "8.8.8.8", "2606:4700::1111",
                                "::ffff:93.184.216.34"])
def test_a_public_address_is_allowed(ip):
    assert blocked_reason(ip) is None


@pytest.mark.parametrize("url", [
    "https://hooks.example.com/x",
    "http://n8n.example.com:5678/webhook-waiting/42?signature=abc",
    "http://[2606:4700::1111]/hook",
])
def test_a_plain_http_url_passes_the_syntax_check(url):
    assert check_url_syntax(url) is None


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/x", "must be http or https, not 'ftp'"),
    ("file:///etc/passwd", "must be http or https"),
    ("example.com/hook", "must be http or https, not 'none'"),
    ("https:///hook", "no host"),
    ("https://user:pw@example.com/hook", "credentials"),
    ("https://token@example.com/hook", "credentials"),
    ("https://example.com:99999/hook", "malformed"),
])
def test_a_bad_url_is_refused_with_a_clear_message(url, message):
    with pytest.raises(ValueError, match=message):
        check_url_syntax(url)


def _is_url(schema) -> bool:
    if isinstance(schema, dict):
        return schema.get("format") == "uri" or any(map(_is_url, schema.values()))
    return isinstance(schema, list) and any(map(_is_url, schema))


# A custom GPT's address: the account's browser opens it on chatgpt.com; wowz fetches nothing.
NOT_FETCHED = {"gpt_url"}


@pytest.mark.parametrize(("provider", "action"), sorted(INPUTS))
def test_every_url_field_of_an_input_is_checked_as_fetched_or_known_not_to_be(provider,
                                                                              action):
    properties = INPUTS[(provider, action)].model_json_schema()["properties"]
    urls = {name for name, schema in properties.items() if _is_url(schema)}
    assert urls <= set(FETCHED) | NOT_FETCHED


def test_the_urls_an_input_makes_us_fetch_are_named_by_their_field():
    job_input = {"prompt": "a fox", "image_urls": ["https://a.example/1.png",
                                                   "https://b.example/2.png"],
                 "image_url": "https://c.example/3.png"}
    assert fetched_urls(job_input) == [("image_url", "https://c.example/3.png"),
                                       ("image_urls.0", "https://a.example/1.png"),
                                       ("image_urls.1", "https://b.example/2.png")]
