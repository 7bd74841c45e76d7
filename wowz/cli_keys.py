"""`wowz keys create|revoke|rotate|rotate-secret|limit`: API keys, straight in the database."""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from wowz.cli_http import BAD_INPUT, FAILED, OK

SCOPES = ("submit", "read", "admin")
LIMITS = (("--rate-per-s", "rate_limit_per_s", float, "requests per second"),
          ("--burst", "rate_limit_burst", int,
           "requests at once above the rate (default: one second's worth)"),
          ("--max-in-flight", "max_jobs_in_flight", int, "jobs pending or processing"))


def _limit(kind: type) -> Callable[[str], float | int | None]:
    """A positive number, or `default` (the ingress's default)."""

    def parse(text: str) -> float | int | None:
        if text == "default":
            return None
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r}: must be above 0")
        return value

    return parse


def _grace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 0 or more")
    return value


def _add_limits(parser: argparse.ArgumentParser) -> None:
    for flag, column, kind, what in LIMITS:
        parser.add_argument(flag, type=_limit(kind), metavar="N|default", dest=column,
                            default=argparse.SUPPRESS,
                            help=f"{what} (`default`: the ingress's default)")


def _given_limits(args) -> dict[str, float | int | None]:
    return {column: getattr(args, column) for _, column, _, _ in LIMITS if hasattr(args, column)}


def add(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("keys", help="API keys")
    keys = parser.add_subparsers(dest="keys", required=True)
    create = keys.add_parser("create", help="create a key; prints it and its webhook secret once")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", default="submit,read", help=f"of {', '.join(SCOPES)}")
    _add_limits(create)
    revoke = keys.add_parser("revoke", help="revoke a key at once")
    rotate = keys.add_parser("rotate", help="a new key (same id, scopes, limits, jobs); the "
                                            "old one works for a grace period, then is refused")
    secret = keys.add_parser("rotate-secret", help="a new webhook secret; webhooks are signed "
                                                   "with both during the grace period")
    limit = keys.add_parser("limit", help="set a key's own limits")
    _add_limits(limit)
    for verb in (revoke, rotate, secret, limit):
        verb.add_argument("key", help="the key's id, or its name if one live key has it")
    for verb in (rotate, secret):
        verb.add_argument("--grace-s", type=_grace,
                          help="seconds the old one still works (default "
                               "WOWZ_KEY_ROTATION_GRACE_S)")
    for verb in (create, rotate, secret):
        verb.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(settings, args) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings, args) -> int:
    from store import db, keys

    if args.keys == "create":
        scopes = tuple(s.strip() for s in args.scopes.split(",") if s.strip())
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            print(f"error: --scopes: {', '.join(unknown) or 'none given'}; "
                  f"choose from {', '.join(SCOPES)}", file=sys.stderr)
            return BAD_INPUT
    url = settings.store.database_url.get_secret_value()
    await db.migrate(url)
    pool = await db.create_pool(url, max_size=2)
    try:
        if args.keys == "create":
            new = await keys.create_key(pool, name=args.name, scopes=scopes,
                                        **_given_limits(args))
            _show(args, id=new.key.id, api_key=new.api_key,
                  webhook_secret=new.key.webhook_secret)
            return OK
        try:
            key = await keys.live_key(pool, args.key)
        except keys.KeyNotFound as exc:
            print(f"error: {exc}", file=sys.stderr)
            return FAILED
        if args.keys == "revoke":
            await keys.revoke_key(pool, key.id)
            print(f"revoked {key.id} ({key.name})")
        elif args.keys == "limit":
            limits = await keys.set_limits(pool, key.id, **_given_limits(args))
            print(f"{key.id} ({key.name}): " + ", ".join(
                f"{flag[2:]} {'default' if limits[column] is None else f'{limits[column]:g}'}"
                for flag, column, _, _ in LIMITS))
        else:
            grace_s = settings.http.key_rotation_grace_s if args.grace_s is None \
                else args.grace_s
            until = (datetime.now(UTC) + timedelta(seconds=grace_s)).isoformat(
                timespec="seconds")
            if args.keys == "rotate":
                _show(args, id=key.id, api_key=await keys.rotate_key(
                    pool, key.id, grace_s=grace_s), previous_valid_until=until)
            else:
                _show(args, id=key.id, webhook_secret=await keys.rotate_webhook_secret(
                    pool, key.id, grace_s=grace_s), previous_valid_until=until)
        return OK
    finally:
        await pool.close()


def _show(args, **values: str) -> None:
    if args.json:
        print(json.dumps(values))
        return
    names = {"id": "key id", "api_key": "api key", "webhook_secret": "webhook secret",
             "previous_valid_until": "old one works until"}
    for name, value in values.items():
        print(f"{names[name] + ':':<21}{value}")
    print("(shown once: store it now)")
