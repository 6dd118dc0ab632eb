"""A small time-bounded cache for hot-path lookups (API keys, site thresholds).

Entries live ``ttl`` seconds (monotonic clock); ``ttl == 0`` disables caching. When full, the
cache is emptied rather than tracking recency: the working set (active keys and sites) is small.
Safe to share between threads: each operation is a single dict operation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from enum import Enum
from typing import Generic, Literal, TypeVar

V = TypeVar("V")


class Miss(Enum):
    MISS = "miss"


MISS: Literal[Miss.MISS] = Miss.MISS


class TtlCache(Generic[V]):
    def __init__(
        self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, V]] = {}

    def get(self, key: Hashable) -> V | Literal[Miss.MISS]:
        entry = self._entries.get(key)
        if entry is None:
            return MISS
        expires, value = entry
        if self.clock() >= expires:
            self._entries.pop(key, None)
            return MISS
        return value

    def put(self, key: Hashable, value: V) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (self.clock() + self.ttl, value)

    def invalidate(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
