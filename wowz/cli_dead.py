"""`wowz dead list|requeue ID|discard ID`: the bus's dead letters (an `admin` key)."""

import argparse
import json

from wowz import cli_http


def add(sub: argparse._SubParsersAction) -> None:
    dead = sub.add_parser("dead", help="dead letters: list, requeue, discard")
    verbs = dead.add_subparsers(dest="dead", required=True)
    listing = verbs.add_parser("list", help="what was dead-lettered and why (oldest first)")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true")
    cli_http.add_target(listing)
    for verb, text in (("requeue", "send it back to the queue it came from"),
                       ("discard", "drop it for good")):
        parser = verbs.add_parser(verb, help=text)
        parser.add_argument("id", help="the id `wowz dead list` shows")
        cli_http.add_target(parser)
    dead.set_defaults(run=run)


def run(settings, args) -> int:
    if args.dead == "list":
        code, body = cli_http.call(settings, args, "GET", "/v1/dead",
                                   params={"limit": args.limit})
    elif args.dead == "requeue":
        code, body = cli_http.call(settings, args, "POST", f"/v1/dead/{args.id}/requeue")
    else:
        code, body = cli_http.call(settings, args, "DELETE", f"/v1/dead/{args.id}")
    if body is None:
        return code
    if args.dead != "list":
        letter = body.get("requeued") or body.get("discarded")
        done = f"requeued to {letter['queue']}" if args.dead == "requeue" else "discarded"
        print(f"{letter['id']} {done}")
        return cli_http.OK
    if args.json:
        print(json.dumps(body, indent=2))
        return cli_http.OK
    rows = [[d["id"], d["queue"] or "?", d["type"] or "", d["job_id"] or "",
             cli_http.span(d["time"]) if d["time"] else "", d["reason"]] for d in body["data"]]
    print(cli_http.table(rows, ["ID", "QUEUE", "TYPE", "JOB", "AGE", "REASON"]))
    print(f"{len(rows)} shown of {body['total']} in the dead-letter queue")
    return cli_http.OK
