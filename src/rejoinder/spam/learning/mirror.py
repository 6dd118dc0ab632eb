"""In-memory mirrors of learned tables, and how a worker reloads one without blocking checks.

:class:`KeyMirror` holds reputation rows compactly: sorted int64 keys with float64 sums and a
float32 "last updated" time (about 28 bytes per key), plus a dict of recent changes merged in
now and then. It forgets keys not updated for the retention period on its own (``expire``), the
same rule the purge applies to the table, so the hourly purge needs no reload.

:class:`BackgroundReload` runs a full reload on a daemon thread. A worker starts one when the
table's generation changed (rows were deleted: an erase), which incremental refreshes cannot see.
:func:`refresh_once` runs an incremental refresh in one thread at a time, never waiting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MERGE_AT = 20_000  # overlay entries before they are merged into the sorted arrays

Row = Sequence[Any]  # (key, spam, ham, updated_ts)


class KeyMirror:
    """Sorted int64 keys with their sums and update times, plus a dict of recent changes."""

    def __init__(self) -> None:
        self._base: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = _empty()
        self._overlay: dict[int, tuple[float, float, float]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._base[0]) + len(self._overlay)

    def get(self, keys: Sequence[int]) -> list[tuple[float, float]]:
        overlay = self._overlay
        out: list[tuple[float, float] | None] = []
        for key in keys:
            found = overlay.get(key)
            out.append(None if found is None else (found[0], found[1]))
        missing = [i for i, found in enumerate(out) if found is None]
        base_keys, spam, ham, _updated = self._base
        if missing and len(base_keys):
            wanted = np.array([keys[i] for i in missing], dtype=np.int64)
            pos = np.minimum(base_keys.searchsorted(wanted), len(base_keys) - 1)
            hits = (base_keys[pos] == wanted).tolist()
            columns = zip(missing, hits, spam[pos].tolist(), ham[pos].tolist(), strict=True)
            for i, hit, spam_sum, ham_sum in columns:  # plain lists: no numpy scalars
                if hit:
                    out[i] = (spam_sum, ham_sum)
        return [(0.0, 0.0) if found is None else found for found in out]

    def put(self, rows: Iterable[Row]) -> None:
        with self._lock:
            for key, spam, ham, updated in rows:
                self._overlay[int(key)] = (float(spam), float(ham), float(updated))
            if len(self._overlay) >= MERGE_AT:
                self._merge()

    def load(self, chunks: Iterable[Sequence[Row]], size_hint: int = 0) -> None:
        """Replace everything with the rows given (in chunks, as streamed from the database).

        ``size_hint`` (the row count, when known) lets the columns be filled in place: the
        load then holds the result plus one column-sized temporary, not the chunks twice."""
        columns = [np.empty(size_hint, dtype) for dtype in _DTYPES]
        n = 0
        for rows in chunks:
            m = len(rows)
            if n + m > len(columns[0]):  # more rows than hinted: grow
                columns = [_grown(c[:n], n + m) for c in columns]
            for index, column in enumerate(columns):
                column[n : n + m] = np.fromiter((r[index] for r in rows), column.dtype, m)
            n += m
        if n < len(columns[0]):  # fewer rows than hinted: release the rest
            columns = [c[:n].copy() for c in columns]
        base = _sorted_columns(columns) if n else _empty()
        with self._lock:
            self._base = base
            self._overlay = {}

    def expire(self, before_ts: float) -> int:
        """Forget keys last updated before ``before_ts``; returns how many were dropped."""
        with self._lock:
            stale = [k for k, v in self._overlay.items() if v[2] < before_ts]
            for key in stale:
                del self._overlay[key]
            keys, spam, ham, updated = self._base
            keep = updated >= np.float32(before_ts)
            dropped = len(keys) - int(keep.sum())
            if dropped:
                self._base = (keys[keep], spam[keep], ham[keep], updated[keep])
            return dropped + len(stale)

    def _merge(self) -> None:
        base_keys, spam, ham, updated = self._base
        items = sorted(self._overlay.items())
        n = len(items)
        new_keys = np.fromiter((k for k, _ in items), np.int64, n)
        new_spam = np.fromiter((v[0] for _, v in items), np.float64, n)
        new_ham = np.fromiter((v[1] for _, v in items), np.float64, n)
        new_updated = np.fromiter((v[2] for _, v in items), np.float32, n)
        if len(base_keys):
            pos = np.searchsorted(base_keys, new_keys).clip(0, len(base_keys) - 1)
            present = base_keys[pos] == new_keys
        else:
            pos = np.zeros(n, dtype=np.int64)
            present = np.zeros(n, dtype=bool)
        spam, ham, updated = spam.copy(), ham.copy(), updated.copy()
        spam[pos[present]] = new_spam[present]
        ham[pos[present]] = new_ham[present]
        updated[pos[present]] = new_updated[present]
        keys = np.concatenate([base_keys, new_keys[~present]])
        order = np.argsort(keys, kind="stable")
        self._base = (
            keys[order],
            np.concatenate([spam, new_spam[~present]])[order],
            np.concatenate([ham, new_ham[~present]])[order],
            np.concatenate([updated, new_updated[~present]])[order],
        )
        self._overlay = {}


_DTYPES = (np.int64, np.float64, np.float64, np.float32)  # key, spam, ham, updated_ts


def _grown(column: np.ndarray, needed: int) -> np.ndarray:
    grown = np.empty(max(needed, len(column) * 3 // 2), column.dtype)
    grown[: len(column)] = column
    return grown


def _sorted_columns(
    columns: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The columns ordered by key (a stable sort), one column at a time: the sort holds the
    columns plus the order and one column-sized temporary."""
    order = np.argsort(columns[0], kind="stable")
    for index in range(len(columns)):
        columns[index] = columns[index][order]
    return columns[0], columns[1], columns[2], columns[3]


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.empty(0, np.int64),
        np.empty(0, np.float64),
        np.empty(0, np.float64),
        np.empty(0, np.float32),
    )


def refresh_once(
    lock: threading.Lock, logger: logging.Logger, what: str, refresh: Callable[[], None]
) -> None:
    """Run ``refresh`` unless another thread holds ``lock`` (a check never waits for it). A
    failure is logged and keeps the cache as it was: the next refresh retries."""
    if not lock.acquire(False):
        return
    try:
        refresh()
    except Exception as exc:
        logger.warning("%s refresh failed: %s", what, type(exc).__name__)
    finally:
        lock.release()


class BackgroundReload:
    """At most one full reload at a time, on a daemon thread: a check never waits for it."""

    def __init__(self, name: str, reload: Callable[[], None]):
        self.name = name
        self._reload = reload
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> bool:
        """Start a reload unless one is running; returns whether one was started."""
        with self._lock:
            if self.running:
                return False
            self._thread = threading.Thread(
                target=self._run, name=f"reload-{self.name}", daemon=True
            )
            self._thread.start()
            return True

    def _run(self) -> None:
        try:
            self._reload()
        except Exception as exc:  # the next refresh sees the generation again and retries
            log.warning("reloading %s failed: %s", self.name, type(exc).__name__)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running reload; True when none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running
