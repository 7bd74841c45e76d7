"""`wowz deliveries replay ID`: send a webhook delivery's event again."""

import argparse

from wowz import cli_http


def add(sub: argparse._SubParsersAction) -> None:
    deliveries = sub.add_parser("deliveries", help="webhook deliveries")
    verbs = deliveries.add_subparsers(dest="deliveries", required=True)
    replay = verbs.add_parser("replay", help="send the delivery's event to the webhook again")
    replay.add_argument("id", help="the delivery id (GET /v1/jobs/{id}/deliveries)")
    cli_http.add_target(replay)
    deliveries.set_defaults(run=run)


def run(settings, args) -> int:
    code, replayed = cli_http.call(settings, args, "POST", f"/v1/deliveries/{args.id}/replay")
    if replayed is None:
        return code
    print(f"delivery {args.id}: event {replayed['event_id']} is being sent again")
    return cli_http.OK
