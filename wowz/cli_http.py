"""What the CLI commands that talk to a running wowz share: where it is, the key, the
error envelope printed for a person, exit codes a script can use."""

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

import httpx

OK, FAILED, BAD_INPUT = 0, 1, 2


def add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="wowz base URL (default WOWZ_PUBLIC_URL)")
    parser.add_argument("--key", help="API key (default WOWZ_API_KEY)")


def client(settings, args) -> httpx.Client | None:
    """A client for the API, or None after saying why (no key)."""
    key = args.key or (settings.api_key.get_secret_value() if settings.api_key else None)
    if not key:
        print("error: an API key is needed: --key or WOWZ_API_KEY", file=sys.stderr)
        return None
    return httpx.Client(base_url=(args.url or settings.http.public_url).rstrip("/"),
                        headers={"Authorization": f"Bearer {key}"}, timeout=30)


def call(settings, args, method: str, path: str, **kwargs) -> tuple[int, Any]:
    """One request to the API: (OK, its JSON body), or (an exit code, None) after saying why."""
    client_ = client(settings, args)
    if client_ is None:
        return BAD_INPUT, None
    with client_:
        response = client_.request(method, path, **kwargs)
    if response.status_code >= 400:
        return failure(response), None
    return OK, response.json()


def failure(response: httpx.Response) -> int:
    """Print the error envelope; 2 when the request itself was wrong (bad value, key,
    scope), 1 when the thing was missing or the server failed."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {"message": response.text[:200]}
    print(f"error {response.status_code} {error.get('code')}: {error.get('message')}",
          file=sys.stderr)
    for detail in error.get("details") or []:
        print(f"  {detail.get('field')}: {detail.get('problem')}", file=sys.stderr)
    return BAD_INPUT if response.status_code in (400, 401, 403, 413, 422) else FAILED


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in [header, *rows])


def span(start: str | None, end: str | None = None) -> str:
    """An age or a duration between two ISO times (`end` default now): 4s, 3m05s, 2h10m."""
    if not start:
        return ""
    finish = datetime.fromisoformat(end) if end else datetime.now(UTC)
    total = max(int((finish - datetime.fromisoformat(start)).total_seconds()), 0)
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return f"{total // 60}m{total % 60:02d}s"
    return f"{total // 3600}h{total % 3600 // 60:02d}m"
