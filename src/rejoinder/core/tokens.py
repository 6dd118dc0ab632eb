"""Signed, expiring tokens (emailed links and form tokens), built with HMAC-SHA256 by hand.

A token is ``<payload>.<expires unix seconds>.<signature>``; the signature is HMAC-SHA256 over
the first two parts with a key derived from the instance secret and the token's purpose, so a
token made for one purpose is worthless for another. The payload must be URL-safe text; the
privacy links carry the keyed hash of an email, never the address itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

from rejoinder.core.inputs import parse_id
from rejoinder.errors import LinkExpired, LinkInvalid

SIG_BYTES = 24
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
MAX_TOKEN = 256


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Signer:
    def __init__(self, secret: bytes, purpose: str):
        self._key = hmac.new(secret, b"rejoinder-token\x00" + purpose.encode(), "sha256").digest()

    def _signature(self, body: str) -> str:
        mac = hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()
        return _b64(mac[:SIG_BYTES])

    def sign(self, payload: str, expires_at: datetime) -> str:
        if not _PAYLOAD_RE.match(payload):
            raise ValueError("token payloads are URL-safe text of at most 128 characters")
        body = f"{payload}.{int(expires_at.timestamp())}"
        return f"{body}.{self._signature(body)}"

    def sign_for(self, payload: str, now: datetime, ttl: timedelta) -> str:
        return self.sign(payload, now + ttl)

    def verify(self, token: str, now: datetime) -> str:
        """The payload of a genuine, unexpired token; LinkInvalid or LinkExpired otherwise.

        The signature is checked first, so an altered token is "invalid" even when expired.
        """
        parts = token.split(".") if len(token) <= MAX_TOKEN else []
        expires = parse_id(parts[1]) if len(parts) == 3 else None
        if expires is None or not _PAYLOAD_RE.match(parts[0]) or not parts[2].isascii():
            raise LinkInvalid("This link is not valid. Ask for a new one on the privacy page.")
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._signature(body), parts[2]):
            raise LinkInvalid("This link is not valid. Ask for a new one on the privacy page.")
        if expires < now.timestamp():
            raise LinkExpired("This link has expired. Ask for a new one on the privacy page.")
        return parts[0]
