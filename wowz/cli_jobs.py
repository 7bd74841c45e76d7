"""`wowz jobs`: the caller's jobs as a table, newest first."""

import argparse
import json

from wowz import cli_http


def add(sub: argparse._SubParsersAction) -> None:
    jobs = sub.add_parser("jobs", help="list your jobs (newest first)")
    jobs.add_argument("--status", help="pending, processing, completed, failed, ...")
    jobs.add_argument("--provider")
    jobs.add_argument("--account", help="only jobs run on this provider account")
    jobs.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                      help="only jobs whose metadata has KEY=VALUE")
    jobs.add_argument("--limit", type=int, default=50)
    jobs.add_argument("--json", action="store_true", help="the API's JSON page instead")
    cli_http.add_target(jobs)
    jobs.set_defaults(run=run)


def run(settings, args) -> int:
    params = {"limit": args.limit, "status": args.status, "provider": args.provider,
              "account_id": args.account}
    for pair in args.meta:
        name, sep, value = pair.partition("=")
        if not sep:
            print(f"error: --meta {pair!r} is not KEY=VALUE")
            return cli_http.BAD_INPUT
        params[f"metadata.{name}"] = value
    code, page = cli_http.call(settings, args, "GET", "/v1/jobs",
                               params={k: v for k, v in params.items() if v})
    if page is None:
        return code
    if args.json:
        print(json.dumps(page, indent=2))
        return cli_http.OK
    rows = [[j["id"], j["status"], f"{j['provider']}/{j['action']}", j.get("account_id") or "",
             f"{j['progress']}%", cli_http.span(j["created_at"]),
             cli_http.span(j.get("started_at"), j.get("finished_at")),
             (j.get("error") or {}).get("code", "")] for j in page["data"]]
    print(cli_http.table(rows, ["ID", "STATUS", "JOB", "ACCOUNT", "PROGRESS", "AGE",
                                "DURATION", "ERROR"]))
    if page.get("next_cursor"):
        print(f"(more: --limit above {args.limit})")
    return cli_http.OK
