"""Which URLs we call back or fetch: the policy only, no I/O. The caller resolves the host and
asks `blocked_reason` about every address it got, then connects to one it checked (a second
lookup could answer differently: DNS rebinding)."""

import ipaddress
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(map(ipaddress.ip_address, ("169.254.169.254", "fd00:ec2::254")))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# The job input fields, in every provider's models, whose URLs the platform itself fetches
# (image prompts, remix sources, attachments). tests/unit/test_urls.py holds every URL field
# of the input models to be one of these or one the platform does not fetch.
FETCHED = ("image_url", "image_urls")


def blocked_reason(ip: str | IPAddress) -> str | None:
    """Why we must not connect to `ip` (a literal, brackets allowed), or None if it is public."""
    addr = ip if not isinstance(ip, str) else ipaddress.ip_address(ip.strip("[]"))
    embedded = _embedded_ipv4(addr)
    if embedded is not None:
        reason = blocked_reason(embedded)
        return f"IPv4 {embedded} inside IPv6 {addr}: {reason}" if reason else None
    if addr in METADATA:
        return "cloud metadata address"
    for test, reason in (
            ("is_loopback", "loopback address"),
            ("is_unspecified", "unspecified address"),
            ("is_link_local", "link-local address"),
            ("is_multicast", "multicast address"),
            ("is_reserved", "reserved address"),
            ("is_private", "private address")):
        if getattr(addr, test):
            return reason
    # What the flags above miss, e.g. 100.64.0.0/10 (carrier-grade NAT).
    return None if addr.is_global else "not a public address"


def _embedded_ipv4(addr: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, Teredo): the packet ends up
    there, so that is the address to judge."""
    if addr.version == 4:
        return None
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr in NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    return None


def check_url_syntax(url: str) -> None:
    """Raise ValueError saying what is wrong with `url` as a webhook target."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"webhook url is malformed: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"webhook url must be http or https, not {parts.scheme or 'none'!r}")
    if not parts.hostname:
        raise ValueError("webhook url has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("webhook url must not carry credentials (user:password@)")


def fetched_urls(job_input: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, URL) of every URL a validated job input makes the platform fetch; a list's
    items are named `image_urls.0`, `image_urls.1`, ..."""
    found = []
    for name in FETCHED:
        value = job_input.get(name)
        if isinstance(value, str):
            found.append((name, value))
        elif isinstance(value, list):
            found += [(f"{name}.{i}", url) for i, url in enumerate(value)]
    return found
