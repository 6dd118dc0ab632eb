from __future__ import annotations

from datetime import timedelta

import pytest

from rejoinder.core.tokens import Signer
from rejoinder.errors import LinkExpired, LinkInvalid
from tests.privacy.support import START

SECRET = bytes(range(32))


def test_round_trip_and_expiry() -> None:
    signer = Signer(SECRET, "privacy-link")
    token = signer.sign_for("a" * 32, START, timedelta(minutes=60))
    assert signer.verify(token, START + timedelta(minutes=59)) == "a" * 32
    with pytest.raises(LinkExpired):
        signer.verify(token, START + timedelta(minutes=61))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "b" + t[1:],  # payload altered
        lambda t: t.replace(t.split(".")[1], str(int(t.split(".")[1]) + 3600)),  # expiry pushed
        lambda t: t.rsplit(".", 1)[0],  # signature missing
        lambda t: "",
        lambda t: "x" * 5000,
        lambda t: t + ".extra",
    ],
)
def test_forgeries_are_invalid(mutate: object) -> None:
    signer = Signer(SECRET, "privacy-link")
    token = signer.sign_for("a" * 32, START, timedelta(minutes=60))
    with pytest.raises(LinkInvalid):
        signer.verify(mutate(token), START)  # type: ignore[operator]


def test_forged_and_expired_is_invalid_not_expired() -> None:
    signer = Signer(SECRET, "privacy-link")
    token = signer.sign_for("a" * 32, START, timedelta(minutes=1))
    with pytest.raises(LinkInvalid):
        signer.verify(token[:-2] + "zz", START + timedelta(days=1))


def test_purpose_and_secret_separate_tokens() -> None:
    token = Signer(SECRET, "privacy-link").sign_for("a" * 32, START, timedelta(hours=1))
    with pytest.raises(LinkInvalid):
        Signer(SECRET, "form").verify(token, START)
    with pytest.raises(LinkInvalid):
        Signer(bytes(32), "privacy-link").verify(token, START)


def test_payload_must_be_url_safe() -> None:
    with pytest.raises(ValueError, match="URL-safe"):
        Signer(SECRET, "x").sign("a@b.c", START)
