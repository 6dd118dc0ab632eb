"""Reputation learned from feedback: smoothed, time-decayed spam/ham counts per keyed value.

Keys are the first 64 bits of an HMAC (``privacy.anonymize.Hasher``) of the IP, its /24 or /48
network, the e-mail address, the e-mail domain, the author URL's domain and each link domain;
the raw value is never stored.

Decay uses *forward decay*: a report at time ``t`` adds ``2 ** ((t - EPOCH) / half_life)`` to a
sum, and the count "now" is ``sum * 2 ** (-(now - EPOCH) / half_life)``. Additions commute, so
several workers add with one atomic upsert each, and unlearning (a label corrected by a
moderator) subtracts exactly what was added.

All rows live in the database; each process keeps a compact in-memory mirror (sorted numpy
arrays plus a small dict of recent changes, about 24 bytes per key) that it refreshes from rows
updated in the last few seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from rejoinder.privacy.anonymize import Hasher, truncated
from rejoinder.spam.domains import is_ip_host, registrable_domain
from rejoinder.spam.submission import Submission, url_host
from rejoinder.spam.verdict import Label
from rejoinder.storage import learning as store
from rejoinder.storage.db import Database

log = logging.getLogger(__name__)

EPOCH = 1_700_000_000.0  # 2023-11-14; any fixed instant works
DAY = 86_400.0
MAX_LINK_DOMAINS = 20
MERGE_AT = 20_000  # overlay entries before they are merged into the sorted arrays
SYNC_OVERLAP = 30.0  # seconds re-read on each refresh, to tolerate clock skew between workers


class KeyKind(StrEnum):
    IP = "ip"
    NET = "net"
    EMAIL = "email"
    EMAIL_DOMAIN = "email_domain"
    AUTHOR_DOMAIN = "author_domain"
    LINK_DOMAIN = "link_domain"


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


@dataclass(frozen=True, slots=True)
class RepKey:
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
    if domain and "." in domain:
        digest = hasher.digest(KeyKind.EMAIL_DOMAIN.value, domain)
        keys.append(RepKey(KeyKind.EMAIL_DOMAIN, key_int(digest), domain))
    author_domain = _domain(sub.author_url)
    if author_domain:
        digest = hasher.digest(KeyKind.AUTHOR_DOMAIN.value, author_domain)
        keys.append(RepKey(KeyKind.AUTHOR_DOMAIN, key_int(digest), author_domain))
    seen: set[str] = set()
    for url in sub.urls:
        link_domain = _domain(url)
        if link_domain and link_domain not in seen:
            seen.add(link_domain)
            digest = hasher.digest(KeyKind.LINK_DOMAIN.value, link_domain)
            keys.append(RepKey(KeyKind.LINK_DOMAIN, key_int(digest), link_domain))
            if len(seen) >= MAX_LINK_DOMAINS:
                break
    return keys


def _domain(url: str) -> str:
    host = url_host(url) if url else ""
    if not host or is_ip_host(host):
        return host
    return registrable_domain(host)


class _Mirror:
    """Sorted int64 keys with float64 sums, plus a dict of recent changes."""

    def __init__(self) -> None:
        empty = np.empty(0, dtype=np.int64)
        self._base: tuple[np.ndarray, np.ndarray, np.ndarray] = (
            empty,
            empty.astype(float),
            empty.astype(float),
        )
        self._overlay: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._base[0]) + len(self._overlay)

    def get(self, keys: Sequence[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        missing: list[int] = []
        overlay = self._overlay
        for i, key in enumerate(keys):
            found = overlay.get(key)
            if found is None:
                missing.append(i)
                out.append((0.0, 0.0))
            else:
                out.append(found)
        base_keys, spam, ham = self._base
        if missing and len(base_keys):
            wanted = np.fromiter((keys[i] for i in missing), dtype=np.int64, count=len(missing))
            pos = np.searchsorted(base_keys, wanted).clip(0, len(base_keys) - 1)
            hit = base_keys[pos] == wanted
            for j, i in enumerate(missing):
                if hit[j]:
                    p = pos[j]
                    out[i] = (float(spam[p]), float(ham[p]))
        return out

    def put(self, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            for key, spam, ham in rows:
                self._overlay[int(key)] = (float(spam), float(ham))
            if len(self._overlay) >= MERGE_AT:
                self._merge()

    def load(self, chunks: Iterable[Sequence[Sequence[Any]]]) -> None:
        keys_parts, spam_parts, ham_parts = [], [], []
        for rows in chunks:
            n = len(rows)
            keys_parts.append(np.fromiter((r[0] for r in rows), np.int64, n))
            spam_parts.append(np.fromiter((r[1] for r in rows), np.float64, n))
            ham_parts.append(np.fromiter((r[2] for r in rows), np.float64, n))
        with self._lock:
            if keys_parts:
                keys = np.concatenate(keys_parts)
                keys_parts.clear()
                order = np.argsort(keys, kind="stable")
                keys = keys[order]
                spam = np.concatenate(spam_parts)[order]
                spam_parts.clear()
                ham = np.concatenate(ham_parts)[order]
                self._base = (keys, spam, ham)
            self._overlay = {}

    def _merge(self) -> None:
        base_keys, spam, ham = self._base
        items = sorted(self._overlay.items())
        new_keys = np.fromiter((k for k, _ in items), np.int64, len(items))
        new_spam = np.fromiter((v[0] for _, v in items), np.float64, len(items))
        new_ham = np.fromiter((v[1] for _, v in items), np.float64, len(items))
        if len(base_keys):
            pos = np.searchsorted(base_keys, new_keys).clip(0, len(base_keys) - 1)
            present = base_keys[pos] == new_keys
        else:
            pos = np.zeros(len(new_keys), dtype=np.int64)
            present = np.zeros(len(new_keys), dtype=bool)
        spam, ham = spam.copy(), ham.copy()
        spam[pos[present]] = new_spam[present]
        ham[pos[present]] = new_ham[present]
        keys = np.concatenate([base_keys, new_keys[~present]])
        order = np.argsort(keys, kind="stable")
        self._base = (
            keys[order],
            np.concatenate([spam, new_spam[~present]])[order],
            np.concatenate([ham, new_ham[~present]])[order],
        )
        self._overlay = {}


@dataclass(frozen=True, slots=True)
class Counts:
    spam: float  # decayed report counts "now"
    ham: float


class ReputationStore:
    """Decayed spam/ham counts per key: the database is the truth, memory a brief cache."""

    def __init__(
        self, db: Database, now: Callable[[], float] = time.time, sync_seconds: float = 2.0
    ):
        self.db = db
        self.now = now
        self.sync_seconds = sync_seconds
        self._mirror = _Mirror()
        self._synced_at = 0.0
        self._sync_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._mirror)

    def load(self) -> None:
        started = self.now()
        with self.db.read() as conn:
            self._mirror.load(store.iter_reputation(conn))
        self._synced_at = started

    def refresh_if_due(self) -> None:
        """Pull rows other workers changed; at most once per ``sync_seconds``, never waits."""
        started = self.now()
        if started - self._synced_at < self.sync_seconds or not self._sync_lock.acquire(False):
            return
        try:
            since = self._synced_at - SYNC_OVERLAP
            with self.db.read() as conn:
                for rows in store.iter_reputation(conn, since_ts=since):
                    self._mirror.put(rows)
            self._synced_at = started
        except Exception as exc:  # a failed refresh keeps the cache; the next one retries
            log.warning("reputation refresh failed: %s", type(exc).__name__)
        finally:
            self._sync_lock.release()

    def counts(self, keys: Sequence[RepKey]) -> list[Counts]:
        now = self.now()
        raw = self._mirror.get([k.key for k in keys])
        out = []
        for key, (spam, ham) in zip(keys, raw, strict=True):
            scale = 1.0 / weight(key.kind, now)
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
        self._mirror.put(
            (key, old[0] + add[0], old[1] + add[1])
            for (key, add), old in zip(totals.items(), current, strict=True)
        )
