"""Standard Webhooks headers: `webhook-id` (the event id, the same on every retry, so receivers
can drop duplicates), `webhook-timestamp` (this attempt) and `webhook-signature` (HMAC-SHA256 of
`id.timestamp.body` with the API key's `whsec_` secret)."""

from datetime import datetime

from standardwebhooks import Webhook

USER_AGENT = "wowz-webhooks/1"


def headers(*, message_id: str, body: bytes, secret: str | None,
            now: datetime) -> dict[str, str]:
    """Signed when there is a secret; without one (a job no API key asked for) id and timestamp
    still go, so receivers can drop duplicates."""
    signed = {"content-type": "application/json", "user-agent": USER_AGENT,
              "webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp()))}
    if secret is not None:
        signed["webhook-signature"] = Webhook(secret).sign(message_id, now, body.decode())
    return signed
