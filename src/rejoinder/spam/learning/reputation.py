"""Reputation learned from feedback: smoothed, time-decayed spam/ham counts per keyed value.

Keys are the first 64 bits of an HMAC (``core.anonymize.Hasher``) of the IP, its /24 or /48
network, the e-mail address, the e-mail domain (not for the big free-mail providers, which
millions share: ``domains.FREEMAIL_DOMAINS``), and whose site the author URL and each link are
(:func:`site_owner`: the registrable domain, or the blog or account on a platform that hosts
many people); the raw value is never stored.

Decay uses *forward decay*: a report at time ``t`` adds ``2 ** ((t - EPOCH) / half_life)`` to a
sum, and the count "now" is ``sum * 2 ** (-(now - EPOCH) / half_life)``. Additions commute, so
several workers add with one atomic upsert each, and unlearning (a label corrected by a
moderator) subtracts exactly what was added.

All rows live in the database; each process keeps a compact in-memory mirror
(:class:`~rejoinder.spam.learning.mirror.KeyMirror`, about 28 bytes per key) that it refreshes
from rows updated in the last few seconds. Keys not updated for ``keep_days`` are forgotten by
the mirror itself, as the retention purge deletes their rows; rows deleted by an erase bump the
table's generation (``storage.generations``), and a worker that sees a new one reloads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import urlsplit

from rejoinder.core.anonymize import Hasher, truncated
from rejoinder.core.records.verdict import Label
from rejoinder.core.urls import url_host, with_scheme
from rejoinder.spam.domains import (
    ACCOUNT_PREFIXES,
    ACCOUNTLESS_PAGES,
    FREEMAIL_DOMAINS,
    PATH_PLATFORMS,
    SUBDOMAIN_PLATFORMS,
    is_ip_host,
    registrable_domain,
)
from rejoinder.spam.learning.mirror import BackgroundReload, KeyMirror, refresh_once
from rejoinder.spam.submission import Submission
from rejoinder.storage import generations
from rejoinder.storage import learning as store
from rejoinder.storage.db import Database
from rejoinder.storage.generations import Cached

log = logging.getLogger(__name__)

EPOCH = 1_700_000_000.0  # 2023-11-14; any fixed instant works
DAY = 86_400.0
MAX_LINK_DOMAINS = 20
EXPIRE_EVERY = 60.0  # seconds between passes that forget keys past their retention
SYNC_OVERLAP = 30.0  # seconds re-read on each refresh, to tolerate clock skew between workers


class KeyKind(StrEnum):
    IP = "ip"
    NET = "net"
    EMAIL = "email"
    EMAIL_DOMAIN = "email_domain"
    AUTHOR_DOMAIN = "author_domain"
    LINK_DOMAIN = "link_domain"


# The kinds' values, looked up once (an enum's ``.value`` is a property call).
_EMAIL_DOMAIN = KeyKind.EMAIL_DOMAIN.value
_AUTHOR_DOMAIN = KeyKind.AUTHOR_DOMAIN.value
_LINK_DOMAIN = KeyKind.LINK_DOMAIN.value

HALF_LIFE_DAYS = {
    KeyKind.IP: 14.0,  # addresses change hands fast
    KeyKind.NET: 30.0,
    KeyKind.EMAIL: 180.0,
    KeyKind.EMAIL_DOMAIN: 90.0,
    KeyKind.AUTHOR_DOMAIN: 90.0,
    KeyKind.LINK_DOMAIN: 90.0,
}


def key_int(hexdigest: str) -> int:
    """The first 64 bits of a hex digest as a signed 64-bit integer (a BIGINT column)."""
    value = int(hexdigest[:16], 16)
    return value - (1 << 64) if value >= (1 << 63) else value


def weight(kind: KeyKind, at_ts: float) -> float:
    return float(2.0 ** ((at_ts - EPOCH) / (HALF_LIFE_DAYS[kind] * DAY)))


class RepKey(NamedTuple):  # a tuple: several per check, built faster than a dataclass
    kind: KeyKind
    key: int
    shown: str  # what a moderator may see: a network, a domain, or "" for personal values


def keys_for(
    sub: Submission,
    hasher: Hasher,
    ip_hash: str | None = None,
    prefix_hash: str | None = None,
) -> list[RepKey]:
    """Every reputation key of a submission (the IP hashes may be given instead of the IP)."""
    keys: list[RepKey] = []
    ip_hash = hasher.ip(sub.ip) if sub.ip is not None else ip_hash
    prefix_hash = hasher.ip_prefix(sub.ip) if sub.ip is not None else prefix_hash
    if ip_hash:
        keys.append(RepKey(KeyKind.IP, key_int(ip_hash), ""))
    if prefix_hash:
        keys.append(RepKey(KeyKind.NET, key_int(prefix_hash), truncated(sub.ip)))
    email_hash = hasher.email(sub.email) if "@" in sub.email else None
    if email_hash:
        keys.append(RepKey(KeyKind.EMAIL, key_int(email_hash), ""))
    domain = sub.email_domain
    if domain and "." in domain and domain not in FREEMAIL_DOMAINS:
        digest = hasher.digest(_EMAIL_DOMAIN, domain)
        keys.append(RepKey(KeyKind.EMAIL_DOMAIN, key_int(digest), domain))
    author_domain = site_owner(sub.author_url)
    if author_domain:
        digest = hasher.digest(_AUTHOR_DOMAIN, author_domain)
        keys.append(RepKey(KeyKind.AUTHOR_DOMAIN, key_int(digest), author_domain))
    seen: set[str] = set()
    for url in sub.urls:
        link_domain = site_owner(url)
        if link_domain and link_domain not in seen:
            seen.add(link_domain)
            digest = hasher.digest(_LINK_DOMAIN, link_domain)
            keys.append(RepKey(KeyKind.LINK_DOMAIN, key_int(digest), link_domain))
            if len(seen) >= MAX_LINK_DOMAINS:
                break
    return keys


def site_owner(url: str) -> str:
    """Whose site a URL is: its registrable domain, or on a platform that hosts many people
    the site (``jane.wordpress.com``) or account (``github.com/jane``); '' for a platform page
    that belongs to no one account (a video, a search)."""
    host = url_host(url) if url else ""
    if not host or is_ip_host(host):
        return host
    domain = registrable_domain(host)
    site = host.removeprefix("www.")
    if domain in SUBDOMAIN_PLATFORMS and site != domain:
        return site
    if domain in PATH_PLATFORMS:
        account = _account(url)
        return f"{domain}/{account}" if account else ""
    return domain


def _account(url: str) -> str:
    """The account a platform URL names: its first path segment (the second after a prefix
    such as ``in/`` or ``channel/``), lower case; '' when the page names none."""
    try:
        path = urlsplit(with_scheme(url)[:2100]).path
    except ValueError:
        return ""
    segments = [p for p in path.lower().split("/") if p][:2]
    if segments and segments[0] in ACCOUNT_PREFIXES:
        segments = segments[1:]
    if not segments or segments[0] in ACCOUNTLESS_PAGES:
        return ""
    return segments[0][:100]


class Counts(NamedTuple):
    spam: float  # decayed report counts "now"
    ham: float


class ReputationStore:
    """Decayed spam/ham counts per key: the database is the truth, memory a brief cache."""

    def __init__(
        self,
        db: Database,
        now: Callable[[], float] = time.time,
        sync_seconds: float = 2.0,
        keep_days: float | None = None,
    ):
        self.db = db
        self.now = now
        self.sync_seconds = sync_seconds
        self.keep_seconds = keep_days * DAY if keep_days else None
        self._mirror = KeyMirror()
        self._synced_at = 0.0
        self._expired_at = 0.0
        self._generation = -1  # of the table, as last loaded
        self._sync_lock = threading.Lock()
        self.reloader = BackgroundReload("reputation", self.load)

    def __len__(self) -> int:
        return len(self._mirror)

    def load(self) -> None:
        """Read every row (the generation first: a deletion after it is seen next time)."""
        started = self.now()
        with self.db.read() as conn:
            generation = generations.current(conn, Cached.REPUTATION)
            size = store.count_reputation(conn)
            self._mirror.load(store.iter_reputation(conn), size_hint=size)
        self._generation = generation
        self._synced_at = started
        self._expire(started)

    def refresh_if_due(self) -> None:
        """Pull rows other workers changed; at most once per ``sync_seconds``, never waits.

        When rows were deleted meanwhile (a new generation), a full reload starts in the
        background instead; until it is done, the mirror answers as before.
        """
        started = self.now()
        if started - self._synced_at >= self.sync_seconds and not self.reloader.running:
            refresh_once(self._sync_lock, log, "reputation", lambda: self._refresh(started))

    def _refresh(self, started: float) -> None:
        since = self._synced_at - SYNC_OVERLAP
        with self.db.read() as conn:
            if generations.current(conn, Cached.REPUTATION) != self._generation:
                self.reloader.start()
                return
            for rows in store.iter_reputation(conn, since_ts=since):
                self._mirror.put(rows)
        self._synced_at = started
        if started - self._expired_at >= EXPIRE_EVERY:
            self._expire(started)

    def _expire(self, now: float) -> None:
        self._expired_at = now
        if self.keep_seconds is not None:
            self._mirror.expire(now - self.keep_seconds)

    def counts(self, keys: Sequence[RepKey]) -> list[Counts]:
        now = self.now()
        raw = self._mirror.get([k.key for k in keys])
        out = []
        scales: dict[KeyKind, float] = {}  # one decay factor per kind
        for key, (spam, ham) in zip(keys, raw, strict=True):
            scale = scales.get(key.kind)
            if scale is None:
                scale = scales[key.kind] = 1.0 / weight(key.kind, now)
            out.append(Counts(max(spam * scale, 0.0), max(ham * scale, 0.0)))
        return out

    @staticmethod
    def deltas(
        keys: Sequence[RepKey], label: Label, at_ts: float, sign: float = 1.0
    ) -> list[store.RepDelta]:
        out = []
        for key in keys:
            w = sign * weight(key.kind, at_ts)
            spam, ham = (w, 0.0) if label is Label.SPAM else (0.0, w)
            out.append(store.RepDelta(key.key, key.kind.value, spam, ham))
        return out

    def apply(self, deltas: Sequence[store.RepDelta]) -> None:
        """After a commit: add what was just written to this process's mirror (the next refresh
        replaces these values with the database's, which include other workers' reports)."""
        totals: dict[int, tuple[float, float]] = {}
        for d in deltas:
            spam, ham = totals.get(d.key, (0.0, 0.0))
            totals[d.key] = (spam + d.spam, ham + d.ham)
        current = self._mirror.get(list(totals))
        now = self.now()
        self._mirror.put(
            (key, old[0] + add[0], old[1] + add[1], now)
            for (key, add), old in zip(totals.items(), current, strict=True)
        )
