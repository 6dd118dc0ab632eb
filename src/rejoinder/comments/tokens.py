"""Signed tokens: comment ownership (edit/delete within the window) and form renders.

All are signed by the one token signer (``core/tokens.py:TokenKey``, HMAC-SHA256 with a key
derived from the instance secret), so they survive restarts and work across workers, and
nothing about them is stored.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from rejoinder.core.inputs import parse_id
from rejoinder.core.tokens import TokenKey, same

SIG_CHARS = 27  # 160 bits of base64url


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class CommentTokens:
    def __init__(self, secret: bytes):
        self._key = TokenKey(secret, b"rejoinder-tokens-v1")

    def _sign(self, *parts: str) -> str:
        return self._key.b64("\x00".join(parts), SIG_CHARS)

    def _ok(self, given: str, *parts: str) -> bool:
        return same(given, self._sign(*parts))

    # --- ownership of a comment ---------------------------------------------------------------
    def owner_token(self, comment_id: int) -> str:
        return f"{comment_id}.{self._sign('owner', str(comment_id))}"

    def owner_of(self, token: str) -> int | None:
        """The comment id a token proves ownership of, or None."""
        raw, _, sig = token.strip().partition(".")
        ident = parse_id(raw)
        if ident is None or not sig:
            return None
        return ident if self._ok(sig, "owner", raw) else None

    def owned_ids(self, tokens: str, limit: int = 100) -> set[int]:
        """Comment ids from a comma-separated list of owner tokens (bad ones ignored)."""
        found: set[int] = set()
        for token in tokens.split(",")[:limit]:
            ident = self.owner_of(token)
            if ident is not None:
                found.add(ident)
        return found

    # --- a returning commenter (D18) ------------------------------------------------------------
    def commenter_token(self, site_id: int, comment_id: int, expires_at: datetime) -> str:
        """``<comment id>.<expires>.<sig>``: this browser wrote that comment on that site. Once
        a moderator (or the engine) publishes it, "hold first-time commenters" lets its holder
        through; an e-mail address alone does not (nobody verified it)."""
        stamp = str(int(expires_at.timestamp()))
        ident = str(comment_id)
        return f"{ident}.{stamp}.{self._sign('commenter', str(site_id), ident, stamp)}"

    def commenter_of(self, token: str, site_id: int, now: datetime) -> int | None:
        """The comment a commenter token names on this site while it lasts, or None."""
        raw_id, _, rest = token.strip().partition(".")
        stamp, _, sig = rest.partition(".")
        comment_id, expires = parse_id(raw_id), parse_id(stamp)
        if comment_id is None or expires is None or not sig or expires < now.timestamp():
            return None
        return comment_id if self._ok(sig, "commenter", str(site_id), raw_id, stamp) else None

    # --- a reader who votes -------------------------------------------------------------------
    def voter_token(self) -> str:
        """``v.<random>.<sig>``: a voter id the reader's browser keeps; only a keyed hash of
        the random part is stored with a vote (one vote per voter and comment)."""
        ident = _b64(secrets.token_bytes(15))
        return f"v.{ident}.{self._sign('voter', ident)}"

    def voter_of(self, token: str) -> str | None:
        """The random voter id of a genuine voter token, or None."""
        prefix, _, rest = token.strip().partition(".")
        ident, _, sig = rest.partition(".")
        if prefix != "v" or len(ident) != 20 or not sig:
            return None
        return ident if self._ok(sig, "voter", ident) else None

    # --- a rendered form: CSRF token and time-to-submit evidence --------------------------------
    def form_token(self, site_id: int, thread_key: str, now: datetime) -> str:
        stamp = str(int(now.timestamp() * 1000))
        return f"{stamp}.{self._sign('form', str(site_id), thread_key, stamp)}"

    def form_age(self, token: str, site_id: int, thread_key: str, now: datetime) -> float | None:
        """Seconds since the form was rendered, or None when the token is not ours."""
        stamp, _, sig = token.strip().partition(".")
        millis = parse_id(stamp)
        if millis is None or len(stamp) > 15 or not sig:
            return None
        if not self._ok(sig, "form", str(site_id), thread_key, stamp):
            return None
        return now.timestamp() - millis / 1000
