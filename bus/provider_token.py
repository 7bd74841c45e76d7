"""A job's own provider token (a client's Ideogram bearer token) on its way from the ingress to
the provider consumer. It travels in one AMQP header of that job's JobRequested message, never
in the event's data: the persister stores the data (job_events) and the API and dashboard show
it, while headers are read by the consumer alone. Encrypted (Fernet: AES and an HMAC) with
`WOWZ_PROVIDER_TOKEN_KEY`, because a quorum queue keeps messages on the broker's disk and its
management UI shows them. Dead-lettered copies drop it (bus.publisher)."""

import base64
import hashlib
import json
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken

HEADER = "x-wowz-provider-token"


@dataclass(frozen=True)
class ProviderToken:
    value: str = field(repr=False)
    user_id: str | None = None  # the provider's user id of the token's account, when it says


class TokenSeal:
    """Seals and opens ProviderTokens with one key; the ingress and the provider services must
    share it."""

    def __init__(self, key: str):
        # Any string as the key: Fernet wants 32 bytes, so the setting is hashed down to them.
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))

    def seal(self, token: ProviderToken) -> str:
        plain = json.dumps({"token": token.value, "user_id": token.user_id})
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str | bytes) -> ProviderToken:
        """Raises ValueError when the header was not sealed with this key."""
        try:
            data = json.loads(self._fernet.decrypt(sealed))
            return ProviderToken(str(data["token"]), data.get("user_id"))
        except (InvalidToken, ValueError, KeyError, TypeError):
            raise ValueError(f"{HEADER}: not sealed with this service's "
                             "WOWZ_PROVIDER_TOKEN_KEY") from None
