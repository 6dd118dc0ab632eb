"""The near-duplicate index: recent spam (and approved ham) from every site, found in microseconds.

A comment becomes a set of features (word bigrams and words of four letters or more, after
casefolding, confusable and leetspeak folding), then a MinHash signature of ``NUM_PERM`` 32-bit
values. Locality-sensitive hashing with ``BANDS`` bands of ``ROWS`` values finds candidates
whose Jaccard similarity is likely above ``MIN_SIMILARITY``; candidates are then scored by the
share of equal signature values.

Why not ``datasketch.MinHashLSH``: its dict-of-lists storage peaked near 900 MB for 100 000
items. Here everything is flat numpy: 100 000 items take about 35 MB (signatures 19 MB, one
sorted array of band keys 12 MB), and a query is two ``searchsorted`` calls. A 64-bit simhash
is smaller still, but cannot find reworded texts (Hamming distance 10+) without scanning.

Items live in the ``near_duplicates`` table; each process loads them at start and pulls rows
other workers added every few seconds. Items deleted by an erase bump the table's generation
(``storage.generations``); a worker that sees a new one reloads the index in the background.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from rejoinder.core.records.verdict import Label
from rejoinder.errors import StorageUnavailable
from rejoinder.spam.learning.mirror import BackgroundReload, refresh_once
from rejoinder.spam.submission import fold_lookalikes
from rejoinder.storage import generations
from rejoinder.storage import learning as store
from rejoinder.storage.db import Database
from rejoinder.storage.generations import Cached

log = logging.getLogger(__name__)

NUM_PERM = 48
BANDS = 16
ROWS = NUM_PERM // BANDS
MIN_WORDS = 8  # shorter texts are too generic to call near-duplicates
MIN_SIMILARITY = 0.5
MAX_FEATURE_CHARS = 20_000
MERGE_AT = 5_000
SYNC_OVERLAP = 30.0
_PRIME = np.uint64(4_294_967_291)  # largest prime below 2**32
_RNG = np.random.default_rng(20240611)  # fixed: signatures must agree across processes
_A = _RNG.integers(1, 2**31, NUM_PERM, dtype=np.uint64)
_B = _RNG.integers(0, 2**31, NUM_PERM, dtype=np.uint64)
_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 1], dtype=np.uint64)
_BAND_SALT = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0xFF51AFD7ED558CCD)

_WORD_RE = re.compile(r"[^\W_]+")


def features(text: str) -> set[str]:
    """Word bigrams plus words of four characters or more, folded."""
    words = _WORD_RE.findall(fold_lookalikes(text[:MAX_FEATURE_CHARS], leet=True))
    if len(words) < MIN_WORDS:
        return set()
    found = {w for w in words if len(w) >= 4}
    found.update(map(" ".join, itertools.pairwise(words)))  # "a b", without an f-string each
    return found


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (``NUM_PERM`` uint32), or None when the text is too short."""
    feats = features(text)
    if not feats:
        return None
    crcs = map(zlib.crc32, map(str.encode, feats))
    base = np.fromiter(crcs, dtype=np.uint64, count=len(feats))
    hashed = base[:, None] * _A
    hashed += _B
    hashed -= hashed // _PRIME * _PRIME  # hashed %= _PRIME, faster (division by a constant)
    return hashed.min(axis=0).astype(np.uint32)  # type: ignore[no-any-return]


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """One uint64 key per band per signature: shape (n, BANDS)."""
    rows = sigs.astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    # Σ row·mix mod 2**64 as one integer matrix product (wraps, as the sum did; no warning)
    return (rows @ _BAND_MIX[:ROWS]) ^ _BAND_SALT


@dataclass(frozen=True, slots=True)
class Match:
    label: Label
    similarity: float  # estimated Jaccard similarity, 0..1
    sites: int  # distinct sites among the matching items of this label
    items: int  # matching items of this label


@dataclass(frozen=True, slots=True)
class _Base:
    ids: np.ndarray  # int64, sorted
    sigs: np.ndarray  # (n, NUM_PERM) uint32
    labels: np.ndarray  # int8: 1 spam, -1 ham
    created: np.ndarray  # float64 unix seconds
    sites: list[str]
    keys: np.ndarray  # sorted uint64 band keys (all bands)
    key_pos: np.ndarray  # int32 item position of each band key


def _no_sigs() -> np.ndarray:
    return np.empty((0, NUM_PERM), np.uint32)


@dataclass(slots=True)
class _Recent:
    """Items not yet merged into the base: rows, signatures, and positions by band key.

    Queries read ``rows`` and ``sigs`` from one snapshot (the pair is replaced, never changed
    in length); ``buckets`` is shared by successive snapshots and only ever gains positions,
    so a query ignores positions beyond its own snapshot. A merge starts a new one.
    """

    rows: list[store.NearDupRow]
    sigs: np.ndarray
    buckets: dict[int, list[int]]

    @classmethod
    def empty(cls) -> _Recent:
        return cls([], _no_sigs(), {})

    def extended(self, fresh: list[store.NearDupRow]) -> _Recent:
        new_sigs = np.frombuffer(b"".join(r.signature for r in fresh), dtype="<u4")
        sigs = np.vstack([self.sigs, new_sigs.reshape(len(fresh), NUM_PERM)]).astype(np.uint32)
        start = len(self.rows)
        for offset, keys in enumerate(band_keys(sigs[start:]).tolist()):
            for key in keys:
                self.buckets.setdefault(key, []).append(start + offset)
        return _Recent([*self.rows, *fresh], sigs, self.buckets)

    def candidates(self, keys: list[int]) -> list[int]:
        """Positions sharing at least one band key with a query (the LSH rule of the base)."""
        found: set[int] = set()
        limit = len(self.rows)
        buckets = self.buckets
        for key in keys:
            positions = buckets.get(key)
            if positions:
                found.update(p for p in positions if p < limit)
        return sorted(found)


def _empty_base() -> _Base:
    return _Base(
        np.empty(0, np.int64),
        np.empty((0, NUM_PERM), np.uint32),
        np.empty(0, np.int8),
        np.empty(0, np.float64),
        [],
        np.empty(0, np.uint64),
        np.empty(0, np.int32),
    )


@dataclass(slots=True)
class _Columns:
    """Items as columns, gathered chunk by chunk (no per-item objects kept while loading)."""

    ids: list[np.ndarray]
    sigs: list[np.ndarray]
    labels: list[np.ndarray]
    created: list[np.ndarray]
    sites: list[str]

    @classmethod
    def empty(cls) -> _Columns:
        return cls([], [], [], [], [])

    def add_rows(self, rows: list[store.NearDupRow], interned: dict[str, str]) -> None:
        n = len(rows)
        self.ids.append(np.fromiter((r.id for r in rows), np.int64, n))
        self.sigs.append(
            np.frombuffer(b"".join(r.signature for r in rows), "<u4").reshape(n, NUM_PERM)
        )
        spam = Label.SPAM.value
        self.labels.append(np.fromiter((1 if r.label == spam else -1 for r in rows), np.int8, n))
        self.created.append(np.fromiter((r.created_ts for r in rows), np.float64, n))
        self.sites.extend(interned.setdefault(r.site_url, r.site_url) for r in rows)

    def add_base(self, base: _Base) -> None:
        self.ids.append(base.ids)
        self.sigs.append(base.sigs)
        self.labels.append(base.labels)
        self.created.append(base.created)
        self.sites.extend(base.sites)

    def build(self) -> _Base:
        """The base: items ordered by id, band keys sorted. Each chunk list is emptied as soon
        as its column is built, and band keys are computed in slices, so a load holds little
        more than the result (rows come ordered by id: the reordering is then skipped)."""
        if not self.ids:
            return _empty_base()
        ids = _joined(self.ids)
        by_id = None if bool((ids[1:] >= ids[:-1]).all()) else np.argsort(ids, kind="stable")
        sigs = _ordered(_joined(self.sigs).astype(np.uint32, copy=False), by_id)
        ids = _ordered(ids, by_id)
        labels = _ordered(_joined(self.labels), by_id)
        created = _ordered(_joined(self.created), by_id)
        sites = self.sites if by_id is None else [self.sites[i] for i in by_id]
        self.sites = []
        keys = np.empty(len(sigs) * BANDS, np.uint64)
        for start in range(0, len(sigs), _KEY_SLICE):
            part = sigs[start : start + _KEY_SLICE]
            keys[start * BANDS : (start + len(part)) * BANDS] = band_keys(part).ravel()
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        order //= BANDS
        return _Base(ids, sigs, labels, created, sites, keys, order.astype(np.int32))


_KEY_SLICE = 8192  # signatures per band-key slice while building (a 3 MB temporary each)


def _joined(chunks: list[np.ndarray]) -> np.ndarray:
    """One array from the chunks, which are released at once."""
    joined = np.concatenate(chunks)
    chunks.clear()
    return joined


def _ordered(column: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    return column if order is None else column[order]


class NearDuplicateIndex:
    """Near-duplicate lookups over recent labelled contents of all sites."""

    def __init__(
        self,
        db: Database,
        now: Callable[[], float] = time.time,
        ttl_days: float = 90.0,
        sync_seconds: float = 2.0,
    ):
        self.db = db
        self.now = now
        self.ttl = ttl_days * 86_400.0
        self.sync_seconds = sync_seconds
        self._base = _empty_base()
        # Items not yet merged into the base (see _Recent): replaced as one object so that a
        # query in another thread never sees rows and signatures out of step.
        self._recent = _Recent.empty()
        self._lock = threading.Lock()
        self._synced_at = 0.0
        self._generation = -1  # of the table, as last loaded
        self.reloader = BackgroundReload("near-duplicate index", self.load)

    def __len__(self) -> int:
        return len(self._base.ids) + len(self._recent.rows)

    def load(self) -> None:
        """Read every item in the window (the generation first: a later deletion is seen)."""
        started = self.now()
        columns, interned = _Columns.empty(), dict[str, str]()
        with self.db.read() as conn:
            generation = generations.current(conn, Cached.NEAR_DUPLICATES)
            for part in store.iter_near_duplicates(conn, created_after=started - self.ttl):
                columns.add_rows(part, interned)
        base = columns.build()
        with self._lock:
            self._base = base
            self._recent = _Recent.empty()
        self._generation = generation
        self._synced_at = started

    def purge(self) -> None:
        """Delete items past their time from the database (queries already ignore them)."""
        try:
            with self.db.begin() as conn:
                store.purge_near_duplicates(conn, created_before=self.now() - self.ttl)
        except StorageUnavailable:
            log.warning("could not purge expired near-duplicate items; retried later")

    def refresh_if_due(self) -> None:
        """Pull items other workers added; a full reload (in the background) after deletions."""
        started = self.now()
        if started - self._synced_at >= self.sync_seconds and not self.reloader.running:
            refresh_once(self._lock, log, "near-duplicate", lambda: self._refresh(started))

    def _refresh(self, started: float) -> None:
        since = self._synced_at - SYNC_OVERLAP
        with self.db.read() as conn:
            if generations.current(conn, Cached.NEAR_DUPLICATES) != self._generation:
                self.reloader.start()
                return
            for part in store.iter_near_duplicates(
                conn, created_after=started - self.ttl, updated_since=since
            ):
                self._absorb(part)
        self._synced_at = started

    def add_rows(self, rows: Iterable[store.NearDupRow]) -> None:
        with self._lock:
            self._absorb(rows)

    def _absorb(self, rows: Iterable[store.NearDupRow]) -> None:
        """Insert new rows, update the label of known ones (caller holds the lock)."""
        fresh: list[store.NearDupRow] = []
        for row in rows:
            if not self._relabel(row):
                fresh.append(row)
        if fresh:
            self._recent = self._recent.extended(fresh)
        if len(self._recent.rows) >= MERGE_AT:
            self._merge()

    def _relabel(self, row: store.NearDupRow) -> bool:
        base = self._base
        value = np.int8(1 if row.label == Label.SPAM.value else -1)
        if len(base.ids):
            pos = int(np.searchsorted(base.ids, row.id))
            if pos < len(base.ids) and base.ids[pos] == row.id:
                base.labels[pos] = value
                return True
        for i, known in enumerate(self._recent.rows):
            if known.id == row.id:
                self._recent.rows[i] = row
                return True
        return False

    def _merge(self) -> None:
        columns = _Columns.empty()
        columns.add_base(self._base)
        columns.add_rows(self._recent.rows, {})
        self._base = columns.build()
        self._recent = _Recent.empty()

    def query(self, sig: np.ndarray) -> list[Match]:
        """The best match of each label (spam first), if any reaches ``MIN_SIMILARITY``."""
        recent, base = self._recent, self._base  # this order: never miss a merge
        cutoff = self.now() - self.ttl
        keys = band_keys(sig.reshape(1, NUM_PERM)).ravel()
        found = _base_matches(base, sig, keys, cutoff) if len(base.keys) else []
        near = recent.candidates(keys.tolist()) if recent.rows else []
        if near:
            sims = (recent.sigs[near] == sig).mean(axis=1)
            for i, sim in zip(near, sims.tolist(), strict=True):
                row = recent.rows[i]
                if sim >= MIN_SIMILARITY and row.created_ts >= cutoff:
                    found.append((sim, 1 if row.label == Label.SPAM.value else -1, row.site_url))
        return _summarise(found)


def _base_candidates(base: _Base, keys: np.ndarray) -> np.ndarray | None:
    """Positions of base items sharing a band key with the query, or None. Most queries share
    none, so the end of each run of equal keys is only searched for keys that are present."""
    lo = base.keys.searchsorted(keys)
    present = base.keys[np.minimum(lo, len(base.keys) - 1)] == keys
    if not present.any():
        return None
    lo = lo[present]
    hi = base.keys.searchsorted(keys[present], "right")
    runs = [base.key_pos[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
    return np.unique(np.concatenate(runs))


def _base_matches(
    base: _Base, sig: np.ndarray, keys: np.ndarray, cutoff: float
) -> list[tuple[float, int, str]]:
    """(similarity, label, site) of the base items at least ``MIN_SIMILARITY`` alike."""
    cand = _base_candidates(base, keys)
    if cand is None:
        return []
    cand = cand[base.created[cand] >= cutoff]
    sims = (base.sigs[cand] == sig).mean(axis=1)
    return [
        (float(s), int(base.labels[p]), base.sites[p])
        for p, s in zip(cand, sims, strict=True)
        if s >= MIN_SIMILARITY
    ]


def _summarise(found: list[tuple[float, int, str]]) -> list[Match]:
    matches = []
    for value, label in ((1, Label.SPAM), (-1, Label.HAM)):
        same = [f for f in found if f[1] == value]
        if same:
            best = max(f[0] for f in same)
            matches.append(Match(label, best, len({f[2] for f in same}), len(same)))
    return matches
