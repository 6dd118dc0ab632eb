"""The one token signer: every signed token and link (HMAC-SHA256 with a key per purpose).

:class:`TokenKey` is the primitive: a key derived from the instance secret and a label, so a
token made for one purpose is worthless for another, a MAC over a message, and a comparison
in constant time that never fails on odd input. Each kind of token keeps its own shape (and so
every token issued before keeps verifying): comment owner, commenter, voter and form tokens
(``comments/tokens.py``), unsubscribe links (``notify/unsubscribing.py``), the admin's CSRF and
login form tokens (``moderation/auth.py``), and :class:`Signer`'s expiring tokens below.

A :class:`Signer` token is ``<payload>.<expires unix seconds>.<signature>``; the signature is
HMAC-SHA256 over the first two parts. The payload must be URL-safe text; the privacy links
carry the keyed hash of an email, never the address itself; the daily digest's one-click links
name a comment, a decision and a moderator.
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
SIG_CHARS = SIG_BYTES * 4 // 3  # base64 of the first SIG_BYTES bytes of the MAC
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
MAX_TOKEN = 256


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenKey:
    """HMAC-SHA256 under a key derived from the instance secret and ``label`` (one per kind of
    token; the labels are part of every issued token's signature, so they never change)."""

    def __init__(self, secret: bytes, label: bytes):
        self._key = hmac.new(secret, label, hashlib.sha256).digest()

    def mac(self, message: str) -> bytes:
        return hmac.new(self._key, message.encode(), hashlib.sha256).digest()

    def b64(self, message: str, chars: int) -> str:
        """The MAC as unpadded base64url, cut to ``chars`` characters."""
        return _b64(self.mac(message))[:chars]

    def hex(self, message: str) -> str:
        return self.mac(message).hex()


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of a token part from outside with the expected one (any text:
    a non-ASCII part is simply not equal)."""
    return hmac.compare_digest(given.encode(), expected.encode())


class Signer:
    def __init__(self, secret: bytes, purpose: str):
        self._key = TokenKey(secret, b"rejoinder-token\x00" + purpose.encode())

    def _signature(self, body: str) -> str:
        return self._key.b64(body, SIG_CHARS)

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
        if not same(parts[2], self._signature(body)):
            raise LinkInvalid("This link is not valid. Ask for a new one on the privacy page.")
        if expires < now.timestamp():
            raise LinkExpired("This link has expired. Ask for a new one on the privacy page.")
        return parts[0]
