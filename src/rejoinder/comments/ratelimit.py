"""A per-client flood guard: at most N posts per window per IP network prefix.

Keyed by the keyed hash of the /24 (IPv4) or /48 (IPv6) prefix, so no raw address is held even in
memory longer than the request. Counts live in this process (one worker's view); with several
workers each enforces the limit on its own share.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from rejoinder.errors import RateLimited

MAX_KEYS = 100_000


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_s: float,
        monotonic: Callable[[], float] = time.monotonic,
        what: str = "comments",
    ):
        self.limit = limit
        self.what = what
        self.window_s = window_s
        self._now = monotonic
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str | None) -> None:
        """Count one post for ``key``; raise RateLimited (429 + Retry-After) over the limit."""
        if key is None or self.limit <= 0:
            return
        now = self._now()
        with self._lock:
            stamps = self._hits.get(key)
            if stamps is None:
                if len(self._hits) >= MAX_KEYS:
                    self._evict(now)
                stamps = self._hits[key] = deque()
            while stamps and stamps[0] <= now - self.window_s:
                stamps.popleft()
            if len(stamps) >= self.limit:
                retry = max(1, math.ceil(stamps[0] + self.window_s - now))
                raise RateLimited(
                    f"Too many {self.what} from your network; try again in {retry} seconds.",
                    retry_after=retry,
                )
            stamps.append(now)

    def _evict(self, now: float) -> None:
        stale = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]
        for key in stale:
            del self._hits[key]
        if len(self._hits) >= MAX_KEYS:
            self._hits.clear()
