"""Rendered thread pages kept in memory, keyed by the thread's version.

A thread's ``version`` changes with every comment write (``storage.comments``), so an entry can
never be stale: a new version is a new key, and old ones age out of the LRU. Only the public view
is cached (no owner tokens); the per-render form token is spliced in on every hit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

MAX_ENTRIES = 1024
MAX_BYTES = 64 * 1024 * 1024


class PageCache:
    """An LRU of rendered bodies (bytes or str), bounded in entries and size."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes | str] = OrderedDict()
        self._size = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | str | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, value: bytes | str) -> None:
        if len(value) > self.max_bytes // 4:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._size -= len(old)
        self._items[key] = value
        self._size += len(value)
        while len(self._items) > self.max_entries or self._size > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped)
