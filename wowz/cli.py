"""The `wowz` command."""

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

from wowz import cli_accounts, cli_dead, cli_deliveries, cli_jobs, cli_keys
from wowz import logging as wowz_logging
from wowz.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wowz", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run every service in one process")
    up.add_argument("--sandbox", action="store_true",
                    help="use the local provider stand-ins (default when no accounts are set)")
    up.add_argument("--port", type=int, help="HTTP port (default WOWZ_PORT or 8000)")
    up.add_argument("--host", help="HTTP host (default WOWZ_HOST or 127.0.0.1)")

    run = sub.add_parser("run", help="run one service (for compose and scaling)")
    run.add_argument("service")

    sub.add_parser("migrate", help="apply the SQL migrations")

    submit = sub.add_parser("submit", help="submit a job over HTTP")
    submit.add_argument("--provider", default="midjourney")
    submit.add_argument("--action", default="imagine")
    submit.add_argument("--prompt", help="shortcut for --input '{\"prompt\": ...}'")
    submit.add_argument("--input", help="the job input as JSON")
    submit.add_argument("--webhook", help="URL to call back")
    submit.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    submit.add_argument("--wait", action="store_true", help="follow progress until it ends")
    submit.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="with --wait: give up after this long (exit code 3)")
    submit.add_argument("--url", help="wowz base URL (default WOWZ_PUBLIC_URL)")
    submit.add_argument("--key", help="API key (default WOWZ_API_KEY)")

    asyncapi = sub.add_parser("asyncapi", help="print the AsyncAPI 3 document of the bus")
    asyncapi.add_argument("--out", type=Path, help="write it to this file instead")

    accounts = sub.add_parser("accounts", help="provider accounts").add_subparsers(
        dest="accounts", required=True)
    login = accounts.add_parser("login", help="log an account's browser profile in, once")
    login.add_argument("provider", choices=["chatgpt"])
    login.add_argument("account_id")
    cli_accounts.add(accounts)

    schemas = sub.add_parser("schemas", help="write JSON Schema of every event and input")
    schemas.add_argument("--out", type=Path, default=Path("docs/schemas"))

    for module in (cli_jobs, cli_dead, cli_deliveries, cli_keys):
        module.add(sub)

    args = parser.parse_args(argv)
    settings = Settings()
    wowz_logging.setup(settings.log_level)
    if hasattr(args, "run"):
        return args.run(settings, args)
    if args.command == "up":
        if args.port:
            settings.http.port = args.port
            if settings.http.public_url == "http://127.0.0.1:8000":
                settings.http.public_url = f"http://127.0.0.1:{args.port}"
        if args.host:
            settings.http.host = args.host
        return asyncio.run(_up(settings, sandbox=args.sandbox))
    if args.command == "run":
        return asyncio.run(_serve(settings, [args.service], accounts=None))
    if args.command == "migrate":
        from store import db

        applied = asyncio.run(db.migrate(settings.store.database_url.get_secret_value()))
        print("applied: " + (", ".join(applied) or "nothing, up to date"))
        return 0
    if args.command == "submit":
        from wowz.submit import submit as run_submit

        return run_submit(settings, args)
    if args.command == "asyncapi":
        from bus.asyncapi import document

        text = json.dumps(document(), indent=2)
        if args.out:
            args.out.write_text(text + "\n")
        else:
            print(text)
        return 0
    if args.command == "accounts":
        return _login(settings, args.account_id)
    if args.command == "schemas":
        from wowz.jsonschemas import write_schemas

        for path in write_schemas(args.out):
            print(path)
        return 0
    return 2


def _login(settings: Settings, account_id: str) -> int:
    """A headed browser on the account's profile at chatgpt.com: the user logs in and closes
    it; the login stays in the profile. Without a display, how to bring a profile made elsewhere."""
    import os

    from consumers.chatgpt.login import open_profile
    from consumers.providers.browser import BrowserConfig

    profile = settings.browser.profiles_dir / account_id
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print(f"No display to open a browser on. On a machine with one, run\n"
              f"  wowz accounts login chatgpt {account_id}\n"
              f"log in, close the window, and copy that profile folder here (wowz stopped):\n"
              f"  rsync -a <that machine>:<its WOWZ_PROFILES_DIR>/{account_id}/ {profile}/\n"
              f"Then list the account in accounts.yaml: {{id: {account_id}, provider: chatgpt}}",
              file=sys.stderr)
        return 1
    b = settings.browser
    print(f"Log in to ChatGPT in the window, then close it (profile {profile}).", file=sys.stderr)
    asyncio.run(open_profile(BrowserConfig(executable=b.chromium_path, args=b.chromium_args,
                                           headless=False),
                             profile, settings.providers.chatgpt_url, until_closed=True))
    print(f"Saved. List the account in accounts.yaml: {{id: {account_id}, provider: chatgpt}}",
          file=sys.stderr)
    return 0


async def _up(settings: Settings, *, sandbox: bool) -> int:
    from wowz.platform import SERVICES, configured_accounts

    accounts = configured_accounts(settings)
    box = None
    if sandbox or not accounts:
        from wowz import devsandbox

        box, accounts = await devsandbox.start(settings)
        print(f"sandbox providers: midjourney {box.midjourney_url} (accounts: "
              f"{', '.join(a.id for a in accounts)})", file=sys.stderr)
    try:
        return await _serve(settings, list(SERVICES), accounts=accounts)
    finally:
        if box is not None:
            await box.stop()


async def _serve(settings: Settings, names: list[str], *, accounts) -> int:
    from wowz.platform import Platform, configured_accounts

    platform = Platform(settings, names, configured_accounts(settings) if accounts is None
                        else accounts)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await platform.start()
    if "ingress" in names:
        print(f"wowz is up at {settings.http.public_url} (docs: {settings.http.public_url}/docs)",
              file=sys.stderr)
    await stop.wait()
    await platform.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
