"""The one token signer (``core/tokens.py``): every kind of token made before it, by hand with
``hmac``, still verifies, and each is made the same way now."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from rejoinder.comments.tokens import CommentTokens
from rejoinder.core.anonymize import load_or_create_secret
from rejoinder.core.tokens import Signer
from rejoinder.services import Services
from rejoinder.settings import Settings

SECRET = bytes(range(32))
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def old_mac(secret: bytes, label: bytes, message: str) -> bytes:
    """How each token was signed before: a key per kind of token, then HMAC-SHA256."""
    key = hmac.new(secret, label, hashlib.sha256).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def test_comment_tokens_made_the_old_way_verify() -> None:
    def sig(*parts: str) -> str:
        return b64(old_mac(SECRET, b"rejoinder-tokens-v1", "\x00".join(parts)))[:27]

    tokens = CommentTokens(SECRET)
    assert tokens.owner_token(42) == f"42.{sig('owner', '42')}"
    assert tokens.owner_of(f"42.{sig('owner', '42')}") == 42
    stamp = str(int((NOW + timedelta(days=1)).timestamp()))
    assert tokens.commenter_of(f"7.{stamp}.{sig('commenter', '3', '7', stamp)}", 3, NOW) == 7
    voter = "A" * 20
    assert tokens.voter_of(f"v.{voter}.{sig('voter', voter)}") == voter
    millis = str(int(NOW.timestamp() * 1000) - 5000)
    age = tokens.form_age(f"{millis}.{sig('form', '3', 'talk', millis)}", 3, "talk", NOW)
    assert age is not None and abs(age - 5.0) < 1e-6
    assert tokens.owner_of(f"42.{sig('owner', '43')}") is None  # still checked


def test_expiring_links_made_the_old_way_verify() -> None:
    payload = "12-a-3-deadbeef"
    body = f"{payload}.{int((NOW + timedelta(hours=1)).timestamp())}"
    old = f"{body}.{b64(old_mac(SECRET, b'rejoinder-token' + bytes(1) + b'digest-action', body)[:24])}"
    signer = Signer(SECRET, "digest-action")
    assert signer.verify(old, NOW) == payload
    assert signer.sign(payload, NOW + timedelta(hours=1)) == old


def test_unsubscribe_links_made_the_old_way_verify(services: Services, settings: Settings) -> None:
    secret = load_or_create_secret(settings.resolved_secret_file())
    old = f"5.{b64(old_mac(secret, b'rejoinder-unsubscribe-v1', '5'))[:27]}"
    assert services.notifier.valid_unsubscribe(old) == 5
    assert services.notifier.unsubscribe_url(5).endswith(f"/notify/unsubscribe/{old}")
    assert services.notifier.valid_unsubscribe("5." + "é" * 27) is None  # odd text: not ours


def test_admin_form_tokens_made_the_old_way_verify(services: Services, settings: Settings) -> None:
    secret = load_or_create_secret(settings.resolved_secret_file())
    cookie = "a-session-cookie"
    hashed = hashlib.sha256(cookie.encode()).hexdigest()
    csrf = old_mac(secret, b"rejoinder-admin-csrf-v1", hashed).hex()
    assert services.auth.csrf_token(cookie) == csrf
    assert services.auth.csrf_ok(cookie, csrf)
    assert not services.auth.csrf_ok(cookie, "é" * 64)  # not a 500: simply not the token
    stamp = str(int(datetime.now(UTC).timestamp()))
    login = old_mac(secret, b"rejoinder-admin-csrf-v1", f"login\x00{stamp}").hex()
    assert services.auth.login_form_ok(f"{stamp}.{login}")
