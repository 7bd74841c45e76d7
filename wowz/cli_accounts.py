"""`wowz accounts list`: every provider account's health, load and jobs today, as the provider
services last wrote them to the `accounts` table. `wowz accounts disable|enable ID`: the
operator's switch, through the API (an `admin` key), which tells the running services."""

import argparse
import asyncio
import json

from wowz import cli_http


def add(accounts: argparse._SubParsersAction) -> None:
    listing = accounts.add_parser("list", help="health, load and jobs today of every account")
    listing.add_argument("--provider")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run)
    for verb, text in (("disable", "take no new jobs (the running ones finish)"),
                       ("enable", "take jobs again")):
        parser = accounts.add_parser(verb, help=text)
        parser.add_argument("account_id")
        cli_http.add_target(parser)
        parser.set_defaults(run=switch, verb=verb)


def run(settings, args) -> int:
    found = asyncio.run(_accounts(settings, args.provider))
    if args.json:
        print(json.dumps(found, indent=2, default=str))
        return cli_http.OK
    rows = [[a["provider"], a["id"],
             "healthy" if a["healthy"] else f"unhealthy: {a['reason'] or '?'}",
             f"{a['running']}/{a['concurrency']}",
             f"{a['jobs_today']}" + (f"/{a['daily_cap']}" if a["daily_cap"] else ""),
             a["mode"], _enabled(a), cli_http.span(a["updated_at"].isoformat())]
            for a in found]
    print(cli_http.table(rows, ["PROVIDER", "ACCOUNT", "HEALTH", "RUNNING", "TODAY", "MODE",
                                "ENABLED", "SEEN"]))
    return cli_http.OK


def switch(settings, args) -> int:
    code, account = cli_http.call(settings, args, "POST",
                                  f"/v1/accounts/{args.account_id}/{args.verb}")
    if account is None:
        return code
    print(f"{account['id']} {args.verb}d" + (
        f" ({account['running']} job(s) still running finish)" if args.verb == "disable"
        and account["running"] else ""))
    return cli_http.OK


def _enabled(account: dict) -> str:
    if account["enabled"]:
        return "yes"
    return "disabled" if account["disabled_at"] else "no (accounts file)"


async def _accounts(settings, provider: str | None) -> list[dict]:
    from store import accounts, db

    url = settings.store.database_url.get_secret_value()
    await db.migrate(url)
    pool = await db.create_pool(url, max_size=1)
    try:
        return await accounts.list_accounts(pool, provider=provider)
    finally:
        await pool.close()
