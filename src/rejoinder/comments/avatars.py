"""Avatars made here: an identicon (a mirrored 5 × 5 pattern in one colour) drawn from a seed.

The seed is a keyed hash of the commenter's email (else of their name), made when the comment is
written (``seed``); nothing about the email can be read back from it, and no third party is asked
for a picture. embed.js draws the same pattern from the same seed (``avatar`` there), so the
widget and the no-JS page show the same face. Gravatar is only used on sites that turn it on.
"""

from __future__ import annotations

import hashlib

from markupsafe import Markup

from rejoinder.core.anonymize import Hasher

GRAVATAR = "https://www.gravatar.com/avatar/"
SEED_CHARS = 16


def seed(hasher: Hasher, email_hash: str | None, author: str) -> str:
    """The identicon seed: a keyed hash of the email's keyed hash, else of the name."""
    basis = f"email\x00{email_hash}" if email_hash else f"name\x00{author.strip().lower()}"
    return hasher.digest("avatar", basis)[:SEED_CHARS]


def gravatar_hash(email: str) -> str | None:
    """What Gravatar looks a picture up by: SHA-256 of the trimmed, lower-cased address."""
    value = email.strip().lower()
    return hashlib.sha256(value.encode()).hexdigest() if value else None


def pattern(seed_hex: str) -> tuple[int, str]:
    """The hue (0-359) and the SVG path of the filled cells: 15 bits of the seed fill the left
    three columns, mirrored to the right; each row's runs of cells are one rectangle."""
    hue = int(seed_hex[:3], 16) % 360
    bits = int(seed_hex[3:7], 16)
    path = []
    for y in range(5):
        left = [bits >> (y * 3 + x) & 1 for x in range(3)]
        row = [*left, left[1], left[0]]
        x = 0
        while x < 5:
            if not row[x]:
                x += 1
                continue
            run = 1
            while x + run < 5 and row[x + run]:
                run += 1
            path.append(f"M{x} {y}h{run}v1h-{run}z")
            x += run
    return hue, "".join(path)


def identicon(seed_hex: str) -> Markup:
    """The identicon as inline SVG (decorative: the name beside it says who wrote)."""
    if len(seed_hex) < 7 or any(c not in "0123456789abcdef" for c in seed_hex):
        return Markup("")
    hue, path = pattern(seed_hex)
    return Markup(  # noqa: S704 - numbers and M/h/v/z only, checked above
        f'<svg class="rj-avatar" viewBox="0 0 5 5" aria-hidden="true"><rect width="5" height="5" '
        f'fill="hsl({hue},40%,90%)"/><path fill="hsl({hue},55%,38%)" d="{path}"/></svg>'
    )


def gravatar_img(hash_hex: str) -> Markup:
    if len(hash_hex) != 64 or any(c not in "0123456789abcdef" for c in hash_hex):
        return Markup("")
    return Markup(  # noqa: S704 - a checked hex digest
        f'<img class="rj-avatar" src="{GRAVATAR}{hash_hex}?s=64&amp;d=identicon" alt="" '
        'width="32" height="32" loading="lazy" referrerpolicy="no-referrer">'
    )
