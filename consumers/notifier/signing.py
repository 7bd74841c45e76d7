"""Standard Webhooks headers: `webhook-id` (the event id, the same on every retry, so receivers
can drop duplicates), `webhook-timestamp` (this attempt) and `webhook-signature` (HMAC-SHA256 of
`id.timestamp.body` with the API key's `whsec_` secret). While a rotated secret is in its grace
period the header carries one signature per secret, space-separated (`v1,<new> v1,<old>`), as
the standard allows: a receiver still holding the old secret verifies, and so does one that
switched."""

from datetime import datetime

from standardwebhooks import Webhook

USER_AGENT = "wowz-webhooks/1"


def headers(*, message_id: str, body: bytes, secrets: list[str],
            now: datetime) -> dict[str, str]:
    """Signed with each of `secrets`; with none (a job no API key asked for) id and timestamp
    still go, so receivers can drop duplicates."""
    signed = {"content-type": "application/json", "user-agent": USER_AGENT,
              "webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp()))}
    if secrets:
        text = body.decode()
        signed["webhook-signature"] = " ".join(
            Webhook(secret).sign(message_id, now, text) for secret in secrets)
    return signed
